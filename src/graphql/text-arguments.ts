import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { InvalidInputError } from '../shared/errors.ts';
import { checkText, LIST_MAX_ITEMS } from '../shared/text-rule.ts';

/** Every string inside an argument value, through input objects and lists, checked by the text rule; lists by their length. */
function checkValue(path: string, value: unknown): void {
  if (typeof value === 'string') checkText(path, value);
  else if (Array.isArray(value)) {
    if (value.length > LIST_MAX_ITEMS) throw new InvalidInputError(path, `${path} may hold at most ${LIST_MAX_ITEMS} items`);
    value.forEach((item, index) => checkValue(`${path}[${index}]`, item));
  }
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkValue(`${path}.${key}`, item);
  }
}

/**
 * The one place the text rule (src/shared/text-rule.ts) meets client input: every field that
 * takes arguments checks their strings (and the length of their lists) before its resolver runs. GraphQL and REST (SOFA executes
 * this schema) both pass through it, so nothing unsafe reaches a service or the database.
 * Coerced values are checked, so enums (their names) and parsed scalars need no exception.
 */
export function refuseUnsafeTextArguments<S extends GraphQLSchema>(schema: S): S {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        for (const [name, value] of Object.entries(args)) checkValue(name, value);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
