import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { namesOf } from '../../src/cli/module-templates.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
// A copy, a type check, codegen and a second vitest run on a shared machine: minutes, not one.
const TIMEOUT_MS = 600_000;

let copy: string;
// `note` unless this checkout has one already (e.g. right after `npm run janus -- new-module note`).
const name = ['note', 'memo', 'bookmark', 'snippet'].find((candidate) => !existsSync(path.join(root, 'src', namesOf(candidate).kebab)))!;
const names = namesOf(name);

/** Runs `args` with the pinned Node in the copy, without this vitest run's own variables. */
function node(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV'));
  return run(process.execPath, args, { cwd: copy, env: { ...clean, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS });
}

const git = (...args: string[]) => run('git', args, { cwd: copy });

beforeAll(async () => {
  // The working tree as it is (tracked and new files, ignored ones left out), in a repository of its own.
  copy = await mkdtemp(path.join(os.tmpdir(), 'janus-new-module-'));
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) await cp(path.join(root, file), path.join(copy, file), { recursive: true }).catch(() => undefined);
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  await git('init', '-q');
  await git('add', '-A');
  await git('-c', 'user.email=test@example.com', '-c', 'user.name=test', 'commit', '-qm', 'base');
}, TIMEOUT_MS);
afterAll(() => (copy ? rm(copy, { recursive: true, force: true }) : undefined));

it('writes a working module (a note): one folder, generated/, one line in the module list; it type-checks, its tests pass, the contract calls it safe', async () => {
  const generated = await node(['src/cli/main.ts', 'new-module', name]);
  expect(generated.stdout).toContain('regenerated generated/');

  const { stdout: status } = await git('status', '--porcelain', '--untracked-files=normal');
  const changed = status.split('\n').filter(Boolean).map((line) => line.slice(3));
  expect(changed.filter((file) => !file.startsWith('generated/'))).toEqual(['src/app/modules.ts', `src/${names.kebab}/`]);
  const { stdout: diff } = await git('diff', '--numstat', 'src/app/modules.ts');
  expect(diff.trim()).toBe('1\t0\tsrc/app/modules.ts');

  await node([path.join(copy, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', copy]);
  await node(['scripts/check-generated.ts']);
  const contract = await node(['scripts/contract/main.ts', '--base', 'HEAD']);
  expect(contract.stdout).toMatch(/0 breaking, 0 dangerous, \d+ safe/);
  expect(contract.stdout).toContain(`GET /${names.kebab}: route added`);

  const project = process.env.JANUS_TEST_DB === 'server' ? 'postgres' : 'embedded';
  const tests = await node([path.join(copy, 'node_modules/vitest/vitest.mjs'), 'run', '--project', project, `src/${names.kebab}`]);
  expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);
  expect(tests.stdout).not.toMatch(/failed/);
}, TIMEOUT_MS);

it('refuses a name that exists or that is not an identifier, writing nothing', async () => {
  for (const name of ['user', 'session', 'not-a-name', '9lives']) {
    const refused = node(['src/cli/main.ts', 'new-module', name]);
    await expect(refused).rejects.toMatchObject({ code: 1 });
  }
  await expect(node(['src/cli/main.ts', 'new-module', name])).rejects.toMatchObject({ stderr: expect.stringContaining(`src/${names.kebab} exists already`) });
  const { stdout } = await git('status', '--porcelain', '--', 'src/app', 'src/users', 'src/sessions');
  expect(stdout.split('\n').filter(Boolean)).toEqual([' M src/app/modules.ts']);
}, TIMEOUT_MS);

it('writes a migration for a change of the module’s entity into the module’s own folder (npm run migration:create -- --module)', async () => {
  const entity = path.join(copy, 'src', names.kebab, `${name}.entity.ts`);
  const source = await readFile(entity, 'utf8');
  await writeFile(entity, source.replace('title: p.string().length(200),', 'title: p.string().length(200),\n    summary: p.string().nullable(),'));
  const { stdout } = await node(['scripts/migration-create.ts', '--module', names.plural, '--name', 'summary']);
  const written = /^wrote (\S+)$/m.exec(stdout)?.[1];
  expect(written).toMatch(new RegExp(`^src/${names.kebab}/migrations/Migration\\d{14}_summary\\.ts$`));
  expect(await readFile(path.join(copy, written!), 'utf8')).toContain(`alter table "${names.table}" add "summary"`);
}, TIMEOUT_MS);
