import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

const CALLS = 20;
const WARM_UP = 3;

let server: TestServer;

beforeAll(async () => {
  // A real cost (~70 ms a compare here): an answer that skipped bcrypt would stand out at once.
  server = await startTestServer({ BCRYPT_COST: '10' });
});
afterAll(() => server?.close());

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** An account as its first sign-in at an identity provider leaves it: no password (src/sign-in). */
async function accountWithoutPassword(): Promise<string> {
  const user = await server.running.services.accounts.createAccount(registration());
  await server.running.database.orm.em.getConnection().execute('update users set password_hash = null where id = ?', [user.id]);
  return user.email;
}

describe.each(SURFACES)('loginUser on %s', (surface: Surface) => {
  it('answers an account without a password as a wrong password, in the same time (medians within 0.6–1.6×)', async () => {
    const withPassword = registration();
    await server.running.services.accounts.createAccount(withPassword);
    const passwordless = await accountWithoutPassword();

    const timed = async (email: string): Promise<number> => {
      const started = performance.now();
      const outcome = await perform(server, surface, authCalls.login(email, 'not the password at all'));
      const elapsed = performance.now() - started;
      expect(outcome).toMatchObject({ code: 'INVALID_CREDENTIALS', status: surface === 'rest' ? 401 : 200 });
      return elapsed;
    };
    for (let i = 0; i < WARM_UP; i++) {
      await timed(withPassword.email);
      await timed(passwordless);
    }
    // Interleaved, alternating which goes first, so that load on the machine falls on both alike.
    const wrongPassword: number[] = [];
    const noPassword: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      if (i % 2) {
        noPassword.push(await timed(passwordless));
        wrongPassword.push(await timed(withPassword.email));
      } else {
        wrongPassword.push(await timed(withPassword.email));
        noPassword.push(await timed(passwordless));
      }
    }
    const ratio = median(noPassword) / median(wrongPassword);
    const said = `no password ${median(noPassword).toFixed(1)} ms, wrong password ${median(wrongPassword).toFixed(1)} ms`;
    expect(ratio, said).toBeGreaterThan(0.6);
    expect(ratio, said).toBeLessThan(1.6);
  });
});
