/** The few plain calls the bench makes to Janus outside the measured load (users, tokens, schema). */

import type { RegistrationInput } from '../src/accounts/service.ts';

/** An account the bench registers: exactly the arguments of registerUser. */
export type Account = RegistrationInput;

export interface AuthPayload {
  user: { id: string; email: string };
  token: string;
  refreshToken: string;
}

const CALL_TIMEOUT_MS = 60_000;

export const BENCH_PASSWORD = 'correct horse battery';

export function benchAccount(email: string): Account {
  return {
    email,
    password: BENCH_PASSWORD,
    firstName: 'Bench',
    lastName: 'Mark',
    phoneNumber: '+44 20 7946 0000',
    role: 'user',
  };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  return { status: response.status, json: await response.json() };
}

function authPayload(what: string, answer: { status: number; json: unknown }): AuthPayload {
  const payload = answer.json as Partial<AuthPayload> | undefined;
  if (answer.status !== 200 || typeof payload?.token !== 'string' || typeof payload.user?.id !== 'string') {
    throw new Error(`${what} failed: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
  }
  return payload as AuthPayload;
}

export async function registerUser(origin: string, account: Account): Promise<AuthPayload> {
  return authPayload(`register ${account.email}`, await postJson(`${origin}/rest/register-user`, account));
}

export async function loginUser(origin: string, email: string, password: string): Promise<AuthPayload> {
  return authPayload(`login ${email}`, await postJson(`${origin}/rest/login-user`, { email, password }));
}

/**
 * Whether the schema has a root mutation `name`: by introspection, or, where introspection is
 * turned off, by asking for the field and reading whether validation knows it.
 */
export async function hasMutation(origin: string, name: string): Promise<boolean> {
  const introspection = await postJson(`${origin}/graphql`, { query: '{ __schema { mutationType { fields { name } } } }' });
  const fields = (introspection.json as { data?: { __schema?: { mutationType?: { fields?: Array<{ name: string }> } } } })
    .data?.__schema?.mutationType?.fields;
  if (fields) return fields.some((field) => field.name === name);
  const probe = await postJson(`${origin}/graphql`, { query: `mutation { ${name} }` });
  const messages = ((probe.json as { errors?: Array<{ message?: string }> }).errors ?? []).map((error) => error.message ?? '');
  return !messages.some((message) => message.startsWith(`Cannot query field "${name}"`));
}
