import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { introspectionListNestingRule } from '../../src/graphql/introspection-limit.ts';

const schema = buildSchema('type Query { me: String }');
const errorsOf = (query: string) => validate(schema, parse(query), [introspectionListNestingRule(3)]).map((error) => error.message);

describe('introspection list nesting', () => {
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
});
