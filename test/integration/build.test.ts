import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LoginUserDocument, MeDocument } from '../../generated/client/graphql.ts';
import { graphqlClient, restClient } from '../support/clients.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { spawnJanus, type JanusProcess } from '../support/janus-process.ts';
import { registration } from '../support/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
// Inside the repository, as dist/ is: the built modules find node_modules by walking up.
const out = path.join(root, '.test-data', `build-${randomBytes(4).toString('hex')}`);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'build.ts'), '--out', out], { cwd: root });
}, 120_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  await database?.dispose();
});

async function stop(janus: JanusProcess): Promise<void> {
  janus.child.kill('SIGTERM');
  expect(await janus.exited()).toBe(0);
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

it('builds JavaScript only, with the SDL and the docs page the server reads at run time', async () => {
  const files = await filesUnder(out);
  expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      'src/main.js',
      'src/db/create-data-folder.js',
      'mikro-orm.config.js',
      'migrations/Migration20261123042312_initial.js',
      'schema/directives.graphql',
      'src/accounts/auth.graphql',
      'src/rest/docs/index.html',
      'package.json',
    ]),
  );
});

it('serves both surfaces from the build without TypeScript support, on a database the source then opens as its own', async () => {
  // With type stripping off, loading any .ts file at run time would fail the start.
  const built = spawnJanus({
    database,
    entryFile: path.join(out, 'src/main.js'),
    nodeArgs: ['--no-experimental-strip-types'],
    env: { LOG_LEVEL: 'silent' },
    cwd: database.dataDir,
  });
  const account = registration();
  const restUrl = await built.bannerUrl('REST');
  const { data: registered } = await restClient(restUrl).POST('/register-user', { body: account });
  const me = await graphqlClient(await built.bannerUrl('GraphQL'), registered?.token ?? undefined).request(MeDocument);
  expect(me.me.email).toBe(account.email);
  await stop(built);

  // Migration names carry no extension: the source finds every migration the build applied.
  const source = spawnJanus({ database, env: { LOG_LEVEL: 'info' }, cwd: database.dataDir });
  const login = await graphqlClient(await source.bannerUrl('GraphQL')).request(LoginUserDocument, {
    email: account.email,
    password: account.password,
  });
  expect(login.loginUser.user.email).toBe(account.email);
  expect(source.output().stdout).toContain('"appliedMigrations":[]');
  await stop(source);
});
