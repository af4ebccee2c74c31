import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
  return date;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    return parseDate(value).toISOString();
  },
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
// graphql-tools copies every own property of a scalar given as a resolver onto the SDL's type:
// the undefined description each GraphQLScalarType carries would erase the SDL's description.
Reflect.deleteProperty(DateTime, 'description');

/** A plain JSON object (what JSON.parse makes of `{…}`): no array, class instance or primitive. */
function jsonObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('JSON must be a JSON object');
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new TypeError('JSON must be a JSON object');
  return value as Record<string, unknown>;
}

/** A JSON object, as WebAuthn's options and credentials travel (schema/scalars.graphql). */
export const JSONObject = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSON',
  serialize: jsonObject,
  parseValue: jsonObject,
  parseLiteral: (ast, variables) => jsonObject(valueFromASTUntyped(ast, variables)),
});
Reflect.deleteProperty(JSONObject, 'description');
