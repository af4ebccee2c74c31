import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createOperationFacts } from '../../src/graphql/operation-facts.ts';

const schema = buildSchema(/* GraphQL */ `
  directive @public on FIELD_DEFINITION
  directive @authenticated on FIELD_DEFINITION
  directive @requiresPermission(permission: String!) on FIELD_DEFINITION
  directive @rateLimit(identityArgs: [String!]) on FIELD_DEFINITION
  type Query {
    me: String @authenticated
    hello: String @public
    users: [String] @requiresPermission(permission: "users:read")
  }
  type Mutation {
    login(email: String!): String @public @rateLimit(identityArgs: ["email"])
  }
`);

describe('operation facts', () => {
  const facts = createOperationFacts(schema);

  it('names the root fields an operation selects, sorted, through fragments, with their distinct rules; labels several as multiple', () => {
    const document = parse('query Q { users ...F hello } fragment F on Query { me hello }');
    const found = facts.of(document, 'Q');
    expect(found.rootFields).toEqual(['Query.hello', 'Query.me', 'Query.users']);
    expect(found.label).toBe('multiple');
    expect(facts.of(parse('{ me }'), undefined).label).toBe('Query.me');
    expect(found.rules).toEqual([{ kind: 'public' }, { kind: 'authenticated' }, { kind: 'permission', permission: 'users:read' }]);
  });

  it('labels an operation that selects only introspection fields as introspection, with no rule', () => {
    const found = facts.of(parse('{ __typename __schema { queryType { name } } }'), undefined);
    expect(found.label).toBe('introspection');
    expect(found.rules).toEqual([]);
  });

  it('computes the facts of one document and operation once, and keeps operations of one document apart', () => {
    const document = parse('query A { me } query B { hello }');
    expect(facts.of(document, 'A')).toBe(facts.of(document, 'A'));
    expect(facts.of(document, 'B').rootFields).toEqual(['Query.hello']);
  });
});
