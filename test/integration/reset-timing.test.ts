import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailCalls } from '../support/email-calls.ts';
import { registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

/** Calls of each kind per surface; each address is asked for once, so the mail throttle admits every call. */
const CALLS = 30;
const WARM_UP = 5;

let smtp: TestSmtp;
let server: TestServer;

beforeAll(async () => {
  smtp = await startTestSmtp();
  // The production interval: every request passes the throttle's write, as a prober's would.
  server = await startTestServer({ JANUS_SMTP_URL: smtp.url, JANUS_MAIL_MIN_INTERVAL: '60' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

describe.each(SURFACES)('requestPasswordReset on %s', (surface: Surface) => {
  it('takes as long for an address with an account as for one without (medians within 0.6–1.6×)', async () => {
    const known: string[] = [];
    for (let i = 0; i < CALLS + WARM_UP; i++) {
      const input = registration();
      expect((await server.rest('POST', '/register-user', { body: input })).status).toBe(200);
      known.push(input.email);
    }
    // Registration's mail is delivered first, so that sending it does not compete with the measurement.
    await Promise.all(known.map((email) => smtp.nextMail(email, /confirm your email/i)));

    const timed = async (email: string): Promise<number> => {
      const started = performance.now();
      const outcome = await perform(server, surface, emailCalls.requestPasswordReset(email));
      const elapsed = performance.now() - started;
      expect(outcome).toMatchObject({ data: true, status: 200 });
      return elapsed;
    };
    for (let i = 0; i < WARM_UP; i++) {
      await timed(known.pop()!);
      await timed(uniqueEmail('nobody'));
    }

    // Interleaved, alternating which goes first: load on the machine (and the sender delivering
    // the known addresses' mail) falls on both kinds alike.
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const email = known[i]!;
      if (i % 2) {
        unknownTimes.push(await timed(uniqueEmail('nobody')));
        knownTimes.push(await timed(email));
      } else {
        knownTimes.push(await timed(email));
        unknownTimes.push(await timed(uniqueEmail('nobody')));
      }
    }

    const ratio = median(knownTimes) / median(unknownTimes);
    expect(ratio, `known ${median(knownTimes).toFixed(2)} ms, unknown ${median(unknownTimes).toFixed(2)} ms`).toBeGreaterThan(0.6);
    expect(ratio, `known ${median(knownTimes).toFixed(2)} ms, unknown ${median(unknownTimes).toFixed(2)} ms`).toBeLessThan(1.6);
    // The known addresses did get their mail: the work measured is the real one.
    await smtp.nextMail(known[CALLS - 1]!, /reset your password/i);
  });
});
