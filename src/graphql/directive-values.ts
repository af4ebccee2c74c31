import { getDirectiveValues, type GraphQLField, type GraphQLSchema } from 'graphql';

/**
 * The arguments of `@name` as the SDL writes it on `field`, or undefined when the field does not
 * carry it (or the schema does not define it). The access, rate-limit and OpenAPI code all read
 * their directives this way, once per schema, never per request.
 */
export function directiveValues(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  name: string,
): Record<string, unknown> | undefined {
  const directive = schema.getDirective(name);
  return directive && field.astNode ? getDirectiveValues(directive, field.astNode) : undefined;
}
