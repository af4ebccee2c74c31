import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountCalls } from '../support/account-calls.ts';
import { accountWithRole, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const ROUNDS = 30;

it('lets two admins disable each other at once without a deadlock: one succeeds, the other succeeds or gets LAST_ROLE_ADMIN', async () => {
  for (let round = 0; round < ROUNDS; round += 1) {
    // Each round adds two holders of roles:write; the survivors of earlier rounds hold it too.
    const [first, second] = [await accountWithRole(server, 'admin'), await accountWithRole(server, 'admin')];
    const surfaces = round % 2 === 0 ? SURFACES : [...SURFACES].reverse();
    const outcomes = await Promise.all([
      perform(server, surfaces[0]!, accountCalls.disableUser(second.id), first.token),
      perform(server, surfaces[1]!, accountCalls.disableUser(first.id), second.token),
    ]);
    const results = outcomes.map((outcome) => outcome.code ?? 'ok');
    expect(results, JSON.stringify(outcomes)).toContain('ok');
    // The later request may find its own caller already disabled (UNAUTHENTICATED): refused, not failed.
    for (const result of results) expect(['ok', 'LAST_ROLE_ADMIN', 'UNAUTHENTICATED']).toContain(result);
    for (const outcome of outcomes) expect(outcome.status).toBeLessThan(500);
  }
});
