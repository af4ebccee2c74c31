import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, startTestServer, type TestServer } from '../support/server.ts';

const log = capturingLogger('debug');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'debug' }, undefined, log.logger);
});
afterAll(() => server?.close());

/** Every @secret argument, by the REST route that takes it. */
const SECRETS: [path: string, argument: string][] = [
  ['/login-user', 'password'],
  ['/register-user', 'password'],
  ['/delete-me', 'password'],
  ['/change-password', 'currentPassword'],
  ['/change-password', 'newPassword'],
  ['/refresh-token', 'refreshToken'],
  ['/logout-user', 'refreshToken'],
  ['/reset-password', 'token'],
  ['/reset-password', 'newPassword'],
  ['/verify-email', 'token'],
  ['/verify-mfa', 'mfaToken'],
  ['/verify-mfa', 'code'],
  ['/confirm-totp', 'code'],
  ['/disable-totp', 'code'],
];

describe('secret arguments in a REST query string', () => {
  it.each(SECRETS)('refuses %s?%s=… with 400 and a clear message; neither the answer nor any log line carries the value', async (path, argument) => {
    const value = `SECRET-${argument}-${path.slice(1)}-7f3a`;
    const response = await fetch(`${server.running.restUrl}${path}?${argument}=${value}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: `"${argument}" must be sent in the JSON request body, never in the URL`, extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(text).not.toContain(value);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.text()).toContain(path);
    expect(log.text()).not.toContain(value);
  });
});
