import { buildSchema, parse, type GraphQLField } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  accessMarkersOf,
  checkAccess,
  type AccessPolicy,
  compileAccessRules,
  rootFieldsOf,
  rulesOfFields,
  type AccessRule,
} from '../../src/auth/access-rules.ts';
import { ForbiddenError, UnauthenticatedError } from '../../src/auth/errors.ts';
import type { Principal } from '../../src/auth/principal.ts';

// The directive definitions as in schema/directives.graphql.
const sdl = /* GraphQL */ `
  directive @public on FIELD_DEFINITION
  directive @authenticated on FIELD_DEFINITION
  directive @requiresPermission(permission: String!) on FIELD_DEFINITION
  directive @requiresMfa on FIELD_DEFINITION
  directive @requiresRecentLogin on FIELD_DEFINITION

  type User {
    id: ID!
    email: String!
  }

  type Query {
    health: String! @public
    me: User! @authenticated
    users: [User!]! @requiresPermission(permission: "users:read")
    unmarked: String!
  }

  type Mutation {
    login(email: String!): String! @public
    deleteUser(id: ID!): Boolean! @requiresPermission(permission: "users:delete")
    rotateCodes: [String!]! @authenticated @requiresMfa
    wipe: Boolean! @requiresPermission(permission: "users:delete") @requiresMfa
    enrol: Boolean! @authenticated @requiresRecentLogin
  }
`;

const NOW = 1_900_000_000;
const POLICY: AccessPolicy = { reauthMaxAgeSeconds: 600, nowSeconds: NOW };

const schema = buildSchema(sdl);
const rules = compileAccessRules(schema);

function queryField(name: string): GraphQLField<unknown, unknown> {
  const field = schema.getQueryType()?.getFields()[name];
  if (!field) throw new Error(`Query.${name} is not in the test schema`);
  return field;
}

function rulesOf(source: string, operationName?: string | null): AccessRule[] {
  return rulesOfFields(rules, rootFieldsOf(schema, parse(source), operationName));
}

function principalWith(...permissions: string[]): Principal {
  // checkAccess reads only `permissions`; a real User entity and verified claims would need a
  // database and a signed token, neither of which this rule check touches.
  return { permissions: new Set(permissions) } as Pick<Principal, 'permissions'> as Principal;
}

describe('compileAccessRules', () => {
  it('maps every root field, keyed Type.field, to the rule its directive declares', () => {
    expect(Object.fromEntries(rules)).toEqual({
      'Query.health': { kind: 'public' },
      'Query.me': { kind: 'authenticated' },
      'Query.users': { kind: 'permission', permission: 'users:read' },
      'Query.unmarked': { kind: 'authenticated' },
      'Mutation.login': { kind: 'public' },
      'Mutation.deleteUser': { kind: 'permission', permission: 'users:delete' },
      'Mutation.rotateCodes': { kind: 'authenticated', mfa: true },
      'Mutation.wipe': { kind: 'permission', permission: 'users:delete', mfa: true },
      'Mutation.enrol': { kind: 'authenticated', recentLogin: true },
    });
  });

  it('fails closed: a root field without any marker requires authentication, not public access', () => {
    expect(rules.get('Query.unmarked')).toEqual({ kind: 'authenticated' });
  });

  it('compiles only root fields, not the fields of object types', () => {
    expect(rules.has('User.id')).toBe(false);
    expect(rules.has('User.email')).toBe(false);
  });
});

describe('accessMarkersOf', () => {
  it('lists the access marker written on each field', () => {
    expect(accessMarkersOf(queryField('health'))).toEqual(['public']);
    expect(accessMarkersOf(queryField('me'))).toEqual(['authenticated']);
    expect(accessMarkersOf(queryField('users'))).toEqual(['requiresPermission']);
  });

  it('lists nothing for an unmarked field', () => {
    expect(accessMarkersOf(queryField('unmarked'))).toEqual([]);
  });

  it('lists several markers in SDL order and ignores directives that are not access markers', () => {
    const multi = buildSchema(/* GraphQL */ `
      directive @public on FIELD_DEFINITION
      directive @authenticated on FIELD_DEFINITION
      directive @cached on FIELD_DEFINITION
      type Query {
        both: String @authenticated @cached @public
      }
    `);
    const field = multi.getQueryType()?.getFields().both;
    if (!field) throw new Error('Query.both is missing');
    expect(accessMarkersOf(field)).toEqual(['authenticated', 'public']);
  });
});

describe('rulesOfFields of an operation\'s root fields', () => {
  it('returns only the rules of the root fields the operation selects', () => {
    expect(rulesOf('{ health }')).toEqual([{ kind: 'public' }]);
    expect(rulesOf('{ users { id } }')).toEqual([{ kind: 'permission', permission: 'users:read' }]);
  });

  it('returns one rule per distinct root field selected', () => {
    const found = rulesOf('{ health me { id } }');
    expect(found).toHaveLength(2);
    expect(found).toEqual(expect.arrayContaining([{ kind: 'public' }, { kind: 'authenticated' }]));
  });

  it('reads the mutation root type for a mutation', () => {
    expect(rulesOf('mutation { deleteUser(id: "1") }')).toEqual([{ kind: 'permission', permission: 'users:delete' }]);
  });

  it('follows named fragment spreads on the root type', () => {
    const found = rulesOf(`
      query Q { health ...Secret }
      fragment Secret on Query { users { id } }
    `);
    expect(found).toEqual(
      expect.arrayContaining([{ kind: 'public' }, { kind: 'permission', permission: 'users:read' }]),
    );
    expect(found).toHaveLength(2);
  });

  it('follows fragments nested in fragments', () => {
    const found = rulesOf(`
      query Q { ...Outer }
      fragment Outer on Query { health ...Inner }
      fragment Inner on Query { me { id } }
    `);
    expect(found).toEqual(expect.arrayContaining([{ kind: 'public' }, { kind: 'authenticated' }]));
    expect(found).toHaveLength(2);
  });

  it('follows inline fragments on the root type, with or without a type condition', () => {
    expect(rulesOf('{ health ... on Query { users { id } } }')).toEqual(
      expect.arrayContaining([{ kind: 'permission', permission: 'users:read' }]),
    );
    expect(rulesOf('{ ... { me { id } } }')).toEqual([{ kind: 'authenticated' }]);
  });

  it('counts fields under @skip and @include as selected', () => {
    expect(rulesOf('{ health users @skip(if: true) { id } }')).toEqual(
      expect.arrayContaining([{ kind: 'permission', permission: 'users:read' }]),
    );
  });

  it('ignores __typename, so a public field beside it stays public-only', () => {
    expect(rulesOf('{ __typename health }')).toEqual([{ kind: 'public' }]);
    expect(rulesOf('{ __typename }')).toEqual([]);
  });

  it('does not read nested selections: a field named like a root field inside an object is not a root field', () => {
    // `users` is a permission field at the root; here only `me` is selected at the root.
    expect(rulesOf('{ me { id email } }')).toEqual([{ kind: 'authenticated' }]);
  });

  it('picks the operation named by operationName in a multi-operation document', () => {
    const document = `
      query Open { health }
      query Admin { users { id } }
      mutation Login { login(email: "a@b.c") }
    `;
    expect(rulesOf(document, 'Open')).toEqual([{ kind: 'public' }]);
    expect(rulesOf(document, 'Admin')).toEqual([{ kind: 'permission', permission: 'users:read' }]);
    expect(rulesOf(document, 'Login')).toEqual([{ kind: 'public' }]);
  });

  it('treats a selected field missing from the compiled rules as authenticated (fail closed)', () => {
    const partial = new Map<string, AccessRule>([['Query.health', { kind: 'public' }]]);
    expect(rulesOfFields(partial, rootFieldsOf(schema, parse('{ users { id } }'), undefined))).toEqual([{ kind: 'authenticated' }]);
  });
});

describe('checkAccess', () => {
  const publicRule: AccessRule = { kind: 'public' };
  const authenticatedRule: AccessRule = { kind: 'authenticated' };
  const readUsers: AccessRule = { kind: 'permission', permission: 'users:read' };

  it('lets an anonymous caller through a public rule', () => {
    expect(checkAccess([publicRule], null, POLICY)).toBeUndefined();
  });

  it('lets anyone through when no rule applies', () => {
    expect(checkAccess([], null, POLICY)).toBeUndefined();
  });

  it('answers UNAUTHENTICATED to an anonymous caller on an authenticated rule', () => {
    const error = checkAccess([authenticatedRule], null, POLICY);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error?.code).toBe('UNAUTHENTICATED');
  });

  it('answers UNAUTHENTICATED, not FORBIDDEN, to an anonymous caller on a permission rule', () => {
    expect(checkAccess([readUsers], null, POLICY)?.code).toBe('UNAUTHENTICATED');
  });

  it('lets any principal through an authenticated rule', () => {
    expect(checkAccess([authenticatedRule], principalWith(), POLICY)).toBeUndefined();
  });

  it('answers FORBIDDEN naming the permission to a principal that lacks it', () => {
    const error = checkAccess([readUsers], principalWith('users:write'), POLICY);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error?.code).toBe('FORBIDDEN');
    expect(error?.message).toContain('users:read');
  });

  it('lets a principal holding the permission through', () => {
    expect(checkAccess([readUsers], principalWith('users:read'), POLICY)).toBeUndefined();
  });

  it('fails when any one of several rules fails, even after a public one', () => {
    expect(checkAccess([publicRule, authenticatedRule], null, POLICY)?.code).toBe('UNAUTHENTICATED');
    expect(checkAccess([authenticatedRule, readUsers], principalWith(), POLICY)?.code).toBe('FORBIDDEN');
  });

  it('end to end: an anonymous query mixing a public and a permission field is refused', () => {
    const found = rulesOf('{ health users { id } }');
    expect(checkAccess(found, null, POLICY)?.code).toBe('UNAUTHENTICATED');
    expect(checkAccess(found, principalWith('users:read'), POLICY)).toBeUndefined();
  });
});

describe('@requiresMfa', () => {
  function principalWithAmr(amr: string[], ...permissions: string[]): Principal {
    // checkAccess reads only `permissions` and `claims.amr`.
    return { permissions: new Set(permissions), claims: { amr } } as unknown as Principal;
  }
  const [rotateCodes] = rulesOf('mutation { rotateCodes }');
  const [wipe] = rulesOf('mutation { wipe }');

  it('is not an access marker: the field keeps exactly its one marker', () => {
    const field = schema.getMutationType()?.getFields().rotateCodes;
    expect(accessMarkersOf(field!)).toEqual(['authenticated']);
  });

  it('answers MFA_REQUIRED to a token whose login used no second factor, and lets one that did through', () => {
    const refused = checkAccess([rotateCodes!], principalWithAmr(['pwd']), POLICY);
    expect(refused?.code).toBe('MFA_REQUIRED');
    expect(refused?.extensions).toEqual({});
    expect(checkAccess([rotateCodes!], principalWithAmr(['pwd', 'otp']), POLICY)).toBeUndefined();
    // A passkey login with user verification is multi-factor in itself.
    expect(checkAccess([rotateCodes!], principalWithAmr(['hwk', 'user', 'mfa']), POLICY)).toBeUndefined();
    expect(checkAccess([rotateCodes!], principalWithAmr(['hwk', 'user']), POLICY)?.code).toBe('MFA_REQUIRED');
  });

  it('still answers UNAUTHENTICATED without a token and FORBIDDEN without the permission, before asking for a step-up', () => {
    expect(checkAccess([rotateCodes!], null, POLICY)?.code).toBe('UNAUTHENTICATED');
    expect(checkAccess([wipe!], principalWithAmr(['pwd']), POLICY)?.code).toBe('FORBIDDEN');
    expect(checkAccess([rulesOf('{ me { id } }')[0]!, wipe!], principalWithAmr(['pwd'], 'users:delete'), POLICY)?.code).toBe('MFA_REQUIRED');
    expect(checkAccess([wipe!], principalWithAmr(['pwd', 'otp'], 'users:delete'), POLICY)).toBeUndefined();
  });

  it('applies to the whole operation when any selected root field carries it', () => {
    const found = rulesOf('mutation { deleteUser(id: "1") rotateCodes }');
    expect(checkAccess(found, principalWithAmr(['pwd'], 'users:delete'), POLICY)?.code).toBe('MFA_REQUIRED');
  });
});

describe('@requiresRecentLogin', () => {
  function principalAuthenticatedAt(authTime: number): Principal {
    // checkAccess reads only `permissions` and the claims.
    return { permissions: new Set(), claims: { amr: ['pwd'], auth_time: authTime } } as unknown as Principal;
  }
  const [enrol] = rulesOf('mutation { enrol }');

  it('is not an access marker: the field keeps exactly its one marker', () => {
    expect(accessMarkersOf(schema.getMutationType()!.getFields().enrol!)).toEqual(['authenticated']);
  });

  it('answers REAUTHENTICATION_REQUIRED (RFC 9470 max_age) to a login older than the max age, and lets a recent one through', () => {
    const refused = checkAccess([enrol!], principalAuthenticatedAt(NOW - 601), POLICY);
    expect(refused?.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(refused?.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication".*max_age="600"/);
    expect(checkAccess([enrol!], principalAuthenticatedAt(NOW - 600), POLICY)).toBeUndefined();
    // A token from before auth_time existed counts as an old login.
    expect(checkAccess([enrol!], principalAuthenticatedAt(0), POLICY)?.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(checkAccess([enrol!], null, POLICY)?.code).toBe('UNAUTHENTICATED');
  });
});

describe.each(['requiresMfa', 'requiresRecentLogin'])('@%s', (requirement) => {
  it('refuses to compile beside @public', () => {
    const contradictory = buildSchema(/* GraphQL */ `
      directive @public on FIELD_DEFINITION
      directive @${requirement} on FIELD_DEFINITION
      type Query {
        open: String @public @${requirement}
      }
    `);
    expect(() => compileAccessRules(contradictory)).toThrow(new RegExp(`@${requirement} cannot go with @public`));
  });
});
