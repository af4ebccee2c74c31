import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/shared/errors.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

it('keeps the README to at most 200 lines (the rest lives in docs/)', () => {
  expect(read('README.md').trimEnd().split('\n').length).toBeLessThanOrEqual(200);
});

it('lists every error code with its REST status in docs/api.md\'s error table', () => {
  const rows = read('docs/api.md').split('\n').filter((line) => line.startsWith('| `'));
  const undocumented = Object.entries(ERROR_STATUS).filter(
    ([code, status]) => !rows.some((row) => row.split('|')[1]!.includes(`\`${code}\``) && row.split('|')[2]!.trim().startsWith(String(status))),
  );
  expect(undocumented).toEqual([]);
});

it('describes the RFC 6750 header of a 401 in docs/api.md: the realm, and invalid_token when a sent token is refused', () => {
  const api = read('docs/api.md');
  expect(api).toContain('`WWW-Authenticate: Bearer realm="janus"`');
  expect(api).toContain('error="invalid_token", error_description=');
});

it('tells a new user in the README where the CLI commands are and that a refresh replay within 10 s gets the same successor', () => {
  const readme = read('README.md');
  expect(readme).toContain('(docs/operations.md#operator-cli)');
  expect(readme).toContain('npm run janus -- --help');
  expect(readme.replace(/\s+/g, ' ')).toMatch(/works once \(a replay within 10 s[^)]*gets the same successor/);
  expect(read('docs/operations.md')).toContain('\n## Operator CLI\n');
});

it('shows in docs/integrations.md, verbatim, each verifier that test/integration/verifiers.test.ts runs', () => {
  const page = read('docs/integrations.md');
  for (const file of ['hive-gateway.ts', 'jose-resource-server.ts']) {
    expect(page).toContain('```ts\n' + read(`test/support/integrations/${file}`) + '```');
  }
});
