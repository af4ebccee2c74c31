import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { introspectionLimitRule } from '../../src/graphql/introspection-limit.ts';

const schema = buildSchema('type Query { me: String }');
const errorsOf = (query: string) => validate(schema, parse(query), [introspectionLimitRule(3)]).map((error) => error.message);

describe('introspection limits', () => {
  it("allows GraphiQL's standard introspection query, whose fragments nest lists 3 deep", () => {
    expect(errorsOf(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual([]);
  });

  it('refuses lists nested 4 deep, also when fragments and inline fragments hide the nesting', () => {
    expect(errorsOf('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }')).toHaveLength(1);
    expect(
      errorsOf(`
        query { __schema { types { ...T } } }
        fragment T on __Type { fields { type { ... on __Type { fields { type { ...F } } } } } }
        fragment F on __Type { fields { name } }
      `),
    ).toEqual(['Introspection may nest lists at most 3 deep']);
  });

  it('counts only inside introspection, and does not loop on a fragment cycle', () => {
    expect(errorsOf('{ me }')).toEqual([]);
    // The cycle itself is NoFragmentCyclesRule's to report; this rule only must not follow it forever.
    expect(errorsOf('query { __schema { types { ...A } } } fragment A on __Type { fields { type { ...A } } }')).toEqual([]);
  });

  it("allows graphql-js's standard introspection query with every option, whose type references follow ofType 9 deep", () => {
    const all = { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true };
    expect(errorsOf(getIntrospectionQuery(all))).toEqual([]);
  });

  it('refuses an ofType chain longer than the standard query asks for', () => {
    const chain = (links: number) => `{ __schema { types { fields { type { ${'ofType { '.repeat(links)}name${' }'.repeat(links)} } } } } }`;
    expect(errorsOf(chain(9))).toEqual([]);
    // 15 fields deep: __schema types fields type, 10 × ofType, name.
    expect(errorsOf(chain(10))).toEqual(['Introspection may follow ofType at most 9 deep']);
  });

  it('refuses introspection more than 10 fields deep, counting an ofType chain as one level', () => {
    const nest = (fields: string[]) => `{ ${fields.join(' { ')}${' }'.repeat(fields.length - 1)} }`;
    // Lists only 3 deep (fields × 3), type references 1 link each, 10 fields deep.
    const ten = ['__schema', 'queryType', 'fields', 'type', 'ofType', 'fields', 'type', 'ofType', 'fields', 'name'];
    expect(errorsOf(nest(ten))).toEqual([]);
    expect(errorsOf(nest([...ten.slice(0, -1), 'type', 'name']))).toEqual(['Introspection may be at most 10 fields deep (an ofType chain counts as one)']);
    // A longer chain is still one level.
    expect(errorsOf(nest([...ten.slice(0, 4), 'ofType', 'ofType', 'ofType', ...ten.slice(5)]))).toEqual([]);
  });
});
