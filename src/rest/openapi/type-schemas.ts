import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import type { JsonSchema } from './json-schema.ts';

const SCALARS: Readonly<Record<string, JsonSchema>> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Boolean: { type: 'boolean' },
  // GraphQL's Int is a signed 32-bit integer: graphql-js refuses anything outside on both surfaces.
  Int: { type: 'integer', format: 'int32', minimum: -2_147_483_648, maximum: 2_147_483_647 },
  Float: { type: 'number' },
  DateTime: { type: 'string', format: 'date-time' },
  // Any JSON object: WebAuthn's options and credentials, whose members the browser defines.
  JSON: { type: 'object', additionalProperties: true },
};

export function componentRef(type: GraphQLNamedType): string {
  return `#/components/schemas/${type.name}`;
}

function namedSchema(type: GraphQLNamedType): JsonSchema {
  if (isScalarType(type)) {
    const schema = SCALARS[type.name];
    if (!schema) throw new Error(`No JSON Schema for the scalar ${type.name}`);
    return { ...schema };
  }
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((value) => value.name) };
  if (isObjectType(type)) return { $ref: componentRef(type) };
  throw new Error(`The REST document has no mapping for ${type.name}`);
}

function nullable(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return { anyOf: [schema, { type: 'null' }] };
  return { ...schema, type: [schema.type as string, 'null'] };
}

/** The JSON a GraphQL type serialises to: non-null is the default, a nullable type also admits null. */
export function schemaOfType(type: GraphQLOutputType | GraphQLInputType): JsonSchema {
  if (isNonNullType(type)) return schemaOfNonNull(type.ofType);
  return nullable(schemaOfNonNull(type));
}

function schemaOfNonNull(type: GraphQLOutputType | GraphQLInputType): JsonSchema {
  if (isListType(type)) return { type: 'array', items: schemaOfType(type.ofType) };
  return namedSchema(type as GraphQLNamedType);
}

/**
 * The component schema of an object type: every field, as SOFA selects it (nested objects in
 * full: src/rest/routes.ts fullObjectFieldsOf).
 */
export function objectSchema(type: GraphQLObjectType): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of Object.values(type.getFields())) {
    properties[field.name] = withDescription(schemaOfType(field.type), field.description);
  }
  return withDescription(
    { type: 'object', required: Object.keys(properties), additionalProperties: false, properties },
    type.description,
  );
}

export function withDescription(schema: JsonSchema, description: string | null | undefined): JsonSchema {
  return description ? { ...schema, description } : schema;
}

/** Every object type a set of root fields can return, for `components.schemas`. */
export function reachableObjectTypes(roots: readonly GraphQLOutputType[]): GraphQLObjectType[] {
  const seen = new Map<string, GraphQLObjectType>();
  const visit = (type: GraphQLOutputType): void => {
    const named = getNamedType(type);
    if (!isObjectType(named) || seen.has(named.name)) return;
    seen.set(named.name, named);
    for (const field of Object.values(named.getFields())) visit(field.type);
  };
  roots.forEach(visit);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}
