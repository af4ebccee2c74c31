/**
 * The files `npm run janus -- new-module <name>` writes: a resource owned by its creator, on both
 * surfaces, with its entity, migration and integration tests. Row ownership is the service's
 * (every read and write is scoped by the principal); resolvers only pass arguments through.
 */

/** The spellings of one module name, e.g. `blogPost`. */
export interface ModuleNames {
  /** `blogPost`: the single-item root field. */
  camel: string;
  /** `BlogPost`: the GraphQL type and the entity. */
  pascal: string;
  /** `blogPosts`: the list root field and the services key. */
  plural: string;
  /** `BlogPosts`. */
  pluralPascal: string;
  /** `blog-posts`: the folder, the REST path of the list and the permission's resource. */
  kebab: string;
  /** `blog_posts`: the table. */
  table: string;
}

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const kebabOf = (word: string): string => word.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function pluralOf(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** A module name is a lower-camel-case identifier: `note`, `blogPost`. */
export const MODULE_NAME_SHAPE = /^[a-z][a-zA-Z0-9]{0,39}$/;

export function namesOf(name: string): ModuleNames {
  const plural = pluralOf(name);
  return {
    camel: name,
    pascal: capitalise(name),
    plural,
    pluralPascal: capitalise(plural),
    kebab: kebabOf(plural),
    table: kebabOf(plural).replaceAll('-', '_'),
  };
}

export interface ModuleFile {
  /** Relative to the module's folder. */
  path: string;
  content: string;
}

/** `timestamp` names the migration: `YYYYMMDDhhmmss`, after every migration already there. */
export function moduleFiles(n: ModuleNames, timestamp: string): ModuleFile[] {
  const readAny = `${n.kebab}:read:any`;
  const migration = `Migration${timestamp}_${n.table}`;
  return [
    {
      path: 'module.ts',
      content: `import { defineModule } from '../modules/module.ts';
import { ${n.pascal} } from './${kebabOf(n.camel)}.entity.ts';
import * as resolvers from './resolvers.ts';
import { create${n.pascal}Service, READ_ANY, type ${n.pascal}Service } from './service.ts';

declare module '../graphql/context.ts' {
  interface ModuleServices {
    ${n.plural}: ${n.pascal}Service;
  }
}

/** ${n.pluralPascal}, each owned by the user who created it. */
export const module = defineModule({
  name: '${n.plural}',
  sdl: [new URL('./${n.kebab}.graphql', import.meta.url)],
  operations: [new URL('./operations/${n.kebab}.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  mappers: { ${n.pascal}: new URL('./${kebabOf(n.camel)}.entity.ts#${n.pascal}', import.meta.url) },
  entities: [${n.pascal}],
  migrations: new URL('./migrations/', import.meta.url),
  permissions: [READ_ANY],
  services: { ${n.plural}: ({ database }) => create${n.pascal}Service(database.orm) },
  // A user's ${n.plural} go with the account. To keep them instead, anonymise: make \`owner\`
  // nullable and \`nativeUpdate(${n.pascal}, { owner: userId }, { owner: null })\`.
  onUserErased: async (em, userId) => {
    await em.nativeDelete(${n.pascal}, { owner: userId });
  },
});
`,
    },
    {
      path: `${n.kebab}.graphql`,
      content: `"A ${n.camel}, owned by the user who created it."
type ${n.pascal} {
  id: ID!
  title: String!
  createdAt: DateTime!
  owner: User!
}

extend type Query {
  "The caller's own ${n.plural}, newest first."
  ${n.plural}: [${n.pascal}!]! @authenticated
  "One ${n.camel}: the caller's own, or anyone's for a holder of \`${readAny}\`; any other id is NOT_FOUND."
  ${n.camel}(id: ID!): ${n.pascal} @authenticated @errors(codes: ["NOT_FOUND"])
}

extend type Mutation {
  "Creates a ${n.camel} owned by the caller. The title is 1 to 200 characters."
  create${n.pascal}(title: String!): ${n.pascal}! @authenticated
  "Deletes one of the caller's ${n.plural}; any other id is NOT_FOUND."
  delete${n.pascal}(id: ID!): Boolean! @authenticated @errors(codes: ["NOT_FOUND"])
}
`,
    },
    {
      path: `operations/${n.kebab}.graphql`,
      content: `fragment ${n.pascal}Fields on ${n.pascal} {
  id
  title
  createdAt
  owner {
    id
  }
}

query ${n.pluralPascal} {
  ${n.plural} {
    ...${n.pascal}Fields
  }
}

query ${n.pascal}($id: ID!) {
  ${n.camel}(id: $id) {
    ...${n.pascal}Fields
  }
}

mutation Create${n.pascal}($title: String!) {
  create${n.pascal}(title: $title) {
    ...${n.pascal}Fields
  }
}

mutation Delete${n.pascal}($id: ID!) {
  delete${n.pascal}(id: $id)
}
`,
    },
    {
      path: `${kebabOf(n.camel)}.entity.ts`,
      content: `import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

const ${n.pascal}Schema = defineEntity({
  name: '${n.pascal}',
  tableName: '${n.table}',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    title: p.string().length(200),
    // No ON DELETE CASCADE: the module's onUserErased decides, in the transaction that deletes the user.
    owner: () => p.manyToOne(User).index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ${n.pascal} extends ${n.pascal}Schema.class {}
${n.pascal}Schema.setClass(${n.pascal});
`,
    },
    {
      path: 'service.ts',
      content: `import type { MikroORM } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal.ts';
import { InvalidInputError, NotFoundError } from '../shared/errors.ts';
import { isUuid } from '../shared/uuid.ts';
import { ${n.pascal} } from './${kebabOf(n.camel)}.entity.ts';

/** Lets its holder read anyone's ${n.plural}, not only their own. */
export const READ_ANY = '${readAny}';
const TITLE_MAX = 200;

/**
 * ${n.pluralPascal} belong to the user who created them. Every read and write is scoped here by
 * the caller (the principal): resolvers never check ownership themselves.
 */
export interface ${n.pascal}Service {
  list(caller: Principal): Promise<${n.pascal}[]>;
  /** NOT_FOUND unless the caller owns it or holds ${readAny}. */
  get(caller: Principal, id: string): Promise<${n.pascal}>;
  create(caller: Principal, title: string): Promise<${n.pascal}>;
  /** NOT_FOUND unless the caller owns it. */
  remove(caller: Principal, id: string): Promise<void>;
}

/** The rows the caller may read: their own, or any with READ_ANY. */
const readable = (caller: Principal, id: string) => (caller.permissions.has(READ_ANY) ? { id } : { id, owner: caller.user.id });
const notFound = () => new NotFoundError('No ${n.camel} with this id');

export function create${n.pascal}Service(orm: MikroORM): ${n.pascal}Service {
  return {
    list: (caller) => orm.em.fork().find(${n.pascal}, { owner: caller.user.id }, { orderBy: { createdAt: 'desc', id: 'asc' }, populate: ['owner.role'] }),

    async get(caller, id) {
      const found = isUuid(id) ? await orm.em.fork().findOne(${n.pascal}, readable(caller, id), { populate: ['owner.role'] }) : null;
      if (!found) throw notFound();
      return found;
    },

    async create(caller, rawTitle) {
      const title = rawTitle.trim();
      if (title.length === 0 || [...title].length > TITLE_MAX) throw new InvalidInputError('title', \`title must be 1 to \${TITLE_MAX} characters\`);
      const em = orm.em.fork();
      const created = em.create(${n.pascal}, { title, owner: caller.user.id });
      await em.flush();
      return em.findOneOrFail(${n.pascal}, created.id, { populate: ['owner.role'] });
    },

    async remove(caller, id) {
      const deleted = isUuid(id) ? await orm.em.fork().nativeDelete(${n.pascal}, { id, owner: caller.user.id }) : 0;
      if (deleted === 0) throw notFound();
    },
  };
}
`,
    },
    {
      path: 'resolvers.ts',
      content: `import type { MutationResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

// Access was decided before execution from the SDL's markers; ownership is the service's.
export const Query: QueryResolvers = {
  ${n.plural}: (_parent, _args, context) => context.services.${n.plural}.list(principalOf(context)),
  ${n.camel}: (_parent, { id }, context) => context.services.${n.plural}.get(principalOf(context), id),
};

export const Mutation: MutationResolvers = {
  create${n.pascal}: (_parent, { title }, context) => context.services.${n.plural}.create(principalOf(context), title),
  delete${n.pascal}: async (_parent, { id }, context) => {
    await context.services.${n.plural}.remove(principalOf(context), id);
    return true;
  },
};
`,
    },
    {
      path: `migrations/${migration}.ts`,
      content: `import { Migration } from '@mikro-orm/migrations';

/** The ${n.table} table; the admin role gets ${readAny}, as it holds every permission of Janus's own. */
export class ${migration} extends Migration {

  override name = '${migration}';

  override up(): void | Promise<void> {
    this.addSql(\`create table "${n.table}" ("id" uuid not null, "title" varchar(200) not null, "owner_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));\`);
    this.addSql(\`create index "${n.table}_owner_id_index" on "${n.table}" ("owner_id");\`);
    this.addSql(\`alter table "${n.table}" add constraint "${n.table}_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;\`);
    this.addSql(\`update "roles" set "permissions" = array_append("permissions", '${readAny}') where "name" = 'admin' and not ('${readAny}' = any("permissions"));\`);
  }

  override down(): void | Promise<void> {
    this.addSql(\`update "roles" set "permissions" = array_remove("permissions", '${readAny}');\`);
    this.addSql(\`drop table if exists "${n.table}" cascade;\`);
  }

}
`,
    },
    {
      path: `${n.kebab}.test.ts`,
      content: testFile(n),
    },
  ];
}

function testFile(n: ModuleNames): string {
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Create${n.pascal}Document,
  Delete${n.pascal}Document,
  ${n.pascal}Document,
  ${n.pluralPascal}Document,
} from '../../generated/client/graphql.ts';
import type { RestClient } from '../../test/support/clients.ts';
import { accountWithRole, startTestServer, type TestServer } from '../../test/support/server.ts';
import { perform, SURFACES, type Surface } from '../../test/support/surfaces.ts';

/** The ${n.plural} operations, through the typed GraphQL documents and the typed REST client. */
const calls = {
  list: () => ({
    document: ${n.pluralPascal}Document, field: '${n.plural}' as const, variables: {},
    rest: (client: RestClient) => client.GET('/${kebab(n.plural)}'),
  }),
  get: (id: string) => ({
    document: ${n.pascal}Document, field: '${n.camel}' as const, variables: { id },
    rest: (client: RestClient) => client.GET('/${kebab(n.camel)}/{id}', { params: { path: { id } } }),
  }),
  create: (title: string) => ({
    document: Create${n.pascal}Document, field: 'create${n.pascal}' as const, variables: { title },
    rest: (client: RestClient) => client.POST('/create-${kebab(n.camel)}', { body: { title } }),
  }),
  remove: (id: string) => ({
    document: Delete${n.pascal}Document, field: 'delete${n.pascal}' as const, variables: { id },
    rest: (client: RestClient) => client.POST('/delete-${kebab(n.camel)}', { body: { id } }),
  }),
};

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const PASSWORD = 'correct horse battery';

describe.each(SURFACES)('${n.plural} on %s', (surface: Surface) => {
  it('lets a registered user create, list and delete their own ${n.plural}', async () => {
    const { id, token } = await accountWithRole(server, 'user');
    const created = await perform(server, surface, calls.create('  First  '), token);
    expect(created.data).toMatchObject({ title: 'First', owner: { id } });
    const second = await perform(server, surface, calls.create('Second'), token);

    const listed = await perform(server, surface, calls.list(), token);
    expect(listed.data!.map((item) => item.title).sort()).toEqual(['First', 'Second']);
    expect((await perform(server, surface, calls.get(created.data!.id), token)).data?.title).toBe('First');

    expect((await perform(server, surface, calls.remove(second.data!.id), token)).data).toBe(true);
    expect((await perform(server, surface, calls.list(), token)).data!.map((item) => item.id)).toEqual([created.data!.id]);
  });

  it('hides a user\\'s ${n.plural} from another user: not listed, NOT_FOUND to read or delete', async () => {
    const owner = await accountWithRole(server, 'user');
    const other = await accountWithRole(server, 'user');
    const created = await perform(server, surface, calls.create('Private'), owner.token);

    expect((await perform(server, surface, calls.list(), other.token)).data).toEqual([]);
    const id = created.data!.id;
    for (const refused of [await perform(server, surface, calls.get(id), other.token), await perform(server, surface, calls.remove(id), other.token)]) {
      expect(refused.code).toBe('NOT_FOUND');
      expect(refused.status).toBe(surface === 'rest' ? 404 : 200);
    }
    expect((await perform(server, surface, calls.get(created.data!.id), owner.token)).data?.title).toBe('Private');
  });

  it('lets a holder of ${n.kebab}:read:any (the admin role) read anyone\\'s ${n.camel}', async () => {
    const owner = await accountWithRole(server, 'user');
    const admin = await accountWithRole(server, 'admin');
    const created = await perform(server, surface, calls.create('Shared'), owner.token);
    const read = await perform(server, surface, calls.get(created.data!.id), admin.token);
    expect(read.data).toMatchObject({ title: 'Shared', owner: { id: owner.id } });
  });

  it('refuses every operation without a token: UNAUTHENTICATED, 401 on REST', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const outcomes = [
      await perform(server, surface, calls.list()),
      await perform(server, surface, calls.get(id)),
      await perform(server, surface, calls.create('x')),
      await perform(server, surface, calls.remove(id)),
    ];
    for (const refused of outcomes) {
      expect(refused.code).toBe('UNAUTHENTICATED');
      expect(refused.status).toBe(surface === 'rest' ? 401 : 200);
    }
  });

  it('refuses an empty title with BAD_USER_INPUT', async () => {
    const { token } = await accountWithRole(server, 'user');
    const refused = await perform(server, surface, calls.create('   '), token);
    expect(refused.code).toBe('BAD_USER_INPUT');
    expect(refused.status).toBe(surface === 'rest' ? 400 : 200);
  });
});

it('erases a user\\'s ${n.plural} with the account (deleteMe), in the same transaction', async () => {
  const owner = await accountWithRole(server, 'user');
  await perform(server, 'graphql', calls.create('Mine'), owner.token);
  const deleted = await server.rest('POST', '/delete-me', { body: { password: PASSWORD }, token: owner.token });
  expect(deleted.status).toBe(200);
  const rows = await server.running.database.orm.em.getConnection().execute('select count(*)::int as n from "${n.table}" where "owner_id" = ?', [owner.id]);
  expect(rows[0]).toEqual({ n: 0 });
});

it('documents the ${n.plural} routes in the OpenAPI document', async () => {
  const document = (await (await fetch(server.running.openApiUrl)).json()) as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(['/${kebab(n.plural)}', '/${kebab(n.camel)}/{id}', '/create-${kebab(n.camel)}', '/delete-${kebab(n.camel)}']),
  );
});
`;
}

const kebab = kebabOf;
