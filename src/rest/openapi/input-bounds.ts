import { LIST_MAX_ITEMS, SAFE_TEXT_PATTERN, TEXT_MAX_LENGTH } from '../../shared/text-rule.ts';
import type { JsonSchema } from './json-schema.ts';

/**
 * An argument's schema with the bounds every argument has, whatever its field: the text rule's
 * length and characters on strings, its item limit on lists (src/graphql/text-arguments.ts
 * enforces both on GraphQL and REST). A field's own rule (INPUT_RULES) keeps its tighter bounds
 * and its own pattern; integers are bounded by their type (type-schemas).
 */
export function withInputBounds(schema: JsonSchema): JsonSchema {
  if (schema.anyOf) return { ...schema, anyOf: schema.anyOf.map(withInputBounds) };
  const types = [schema.type ?? []].flat();
  const bounded: JsonSchema = { ...schema };
  if (types.includes('string') && !schema.enum) {
    bounded.maxLength = Math.min(schema.maxLength ?? TEXT_MAX_LENGTH, TEXT_MAX_LENGTH);
    if (!schema.pattern && !schema.format) bounded.pattern = SAFE_TEXT_PATTERN;
  }
  if (types.includes('array')) {
    bounded.maxItems = Math.min(schema.maxItems ?? LIST_MAX_ITEMS, LIST_MAX_ITEMS);
    if (schema.items) bounded.items = withInputBounds(schema.items);
  }
  return bounded;
}
