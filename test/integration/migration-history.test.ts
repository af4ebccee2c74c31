import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { composition } from '../../src/app/composition.ts';
import { openDatabase } from '../../src/db/orm.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * Janus's history as every database migrated before the modules owned their migrations recorded
 * it: these files all lived in migrations/. Frozen: a name here must never change.
 */
const RECORDED_BEFORE_THE_MOVE = [
  'Migration20261123042312_initial',
  'Migration20261123042319_seed_default_roles',
  'Migration20261123044201_refresh_token_expiry_index',
  'Migration20261123053615_audit_events',
  'Migration20261203002000_email',
  'Migration20261203002000_mfa',
  'Migration20261203002500_refresh_successor',
  'Migration20261203014500_sessions_and_disabled_users',
  'Migration20261206100000_mfa_trust',
  'Migration20261206110000_mail_trust',
  'Migration20261206140000_housekeeping_indexes',
];

let testDb: TestDatabase;
let oldLayout: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // The old layout, one folder: a link per recorded name to wherever that file lives now (a
  // renamed file has nothing to link to and fails here).
  oldLayout = await mkdtemp(path.join(os.tmpdir(), 'janus-old-migrations-'));
  for (const name of RECORDED_BEFORE_THE_MOVE) {
    const file = composition.migrationDirs.map((dir) => path.join(dir, `${name}.ts`)).find((candidate) => existsSync(candidate));
    if (!file) throw new Error(`${name} is in no migrations folder`);
    await symlink(file, path.join(oldLayout, `${name}.ts`));
  }
});
afterAll(async () => {
  await testDb?.dispose();
  if (oldLayout) await rm(oldLayout, { recursive: true, force: true });
});

it('starts a database migrated with the old layout (one migrations/ folder) without running any of its migrations again', async () => {
  const before = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, modules: { entities: composition.entities, migrationDirs: [oldLayout] } });
  expect(before.appliedMigrations).toEqual(RECORDED_BEFORE_THE_MOVE);
  await before.close();

  const after = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, modules: composition });
  try {
    expect(after.appliedMigrations.filter((name) => RECORDED_BEFORE_THE_MOVE.includes(name))).toEqual([]);
    expect((await after.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
  } finally {
    await after.close();
  }
});
