import type { Account } from './client.ts';
import type { LoadSpec } from './load.ts';

const USER_FIELDS = 'id email firstName lastName phoneNumber role createdAt';
const PAYLOAD_FIELDS = `token refreshToken permissions user { ${USER_FIELDS} }`;
const ME_QUERY = `{ me { ${USER_FIELDS} } }`;
const LOGIN_MUTATION = `mutation ($email: String!, $password: String!) { loginUser(email: $email, password: $password) { ${PAYLOAD_FIELDS} } }`;
const REGISTER_MUTATION =
  'mutation ($email: String!, $password: String!, $firstName: String!, $lastName: String!, $phoneNumber: String!, $role: String!) ' +
  `{ registerUser(email: $email, password: $password, firstName: $firstName, lastName: $lastName, phoneNumber: $phoneNumber, role: $role) { ${PAYLOAD_FIELDS} } }`;
const REFRESH_MUTATION = `mutation ($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { ${PAYLOAD_FIELDS} } }`;

/** Row names of the report. */
export const ROW = {
  graphqlMe: 'GraphQL `me`',
  restMe: 'REST `GET /rest/me`',
  badToken: 'GraphQL `me`, bad token',
  graphqlLogin: 'GraphQL `loginUser`',
  restLogin: 'REST `POST /rest/login-user`',
  register: 'GraphQL `registerUser`',
  refresh: 'GraphQL `refreshToken`',
} as const;

/** JWT-shaped, so it passes the bearer syntax check and reaches signature verification. */
export const BAD_TOKEN = 'garbage.garbage.garbage';

const JSON_HEADERS = { 'content-type': 'application/json' };

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The code of the first GraphQL error, to name what went wrong in the report. */
function errorCode(body: string): string {
  return /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'unexpected body';
}

/** GraphQL success: HTTP 200, no errors, and the field's data. */
function graphqlData(marker: string): LoadSpec['check'] {
  return (status, body) => {
    if (status !== 200) return `HTTP ${status}`;
    return body.includes('"errors"') || !body.includes(marker) ? errorCode(body) : undefined;
  };
}

/** GraphQL rejection: HTTP 200 carrying the expected error code. */
function graphqlError(code: string): LoadSpec['check'] {
  return (status, body) => {
    if (status !== 200) return `HTTP ${status}`;
    return body.includes(`"code":"${code}"`) ? undefined : errorCode(body);
  };
}

function httpStatus(expected: number): LoadSpec['check'] {
  return (status, body) => (status === expected ? undefined : status === 200 ? 'HTTP 200' : `HTTP ${status} ${errorCode(body)}`);
}

export function graphqlMe(token: string): LoadSpec {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { ...JSON_HEADERS, ...bearer(token) },
    body: JSON.stringify({ query: ME_QUERY }),
    check: graphqlData('"me":{"id"'),
  };
}

export function restMe(token: string): LoadSpec {
  return { method: 'GET', path: '/rest/me', headers: bearer(token), check: httpStatus(200) };
}

export function graphqlBadToken(): LoadSpec {
  return { ...graphqlMe(BAD_TOKEN), check: graphqlError('UNAUTHENTICATED') };
}

/** The floor answers a bad token the REST way, 401, on both of its `me` routes. */
export function floorBadToken(): LoadSpec {
  return { ...graphqlMe(BAD_TOKEN), check: httpStatus(401) };
}


export function graphqlLogin(email: string, password: string): LoadSpec {
  return {
    method: 'POST',
    path: '/graphql',
    headers: JSON_HEADERS,
    body: JSON.stringify({ query: LOGIN_MUTATION, variables: { email, password } }),
    check: graphqlData('"loginUser":{"token"'),
  };
}

export function restLogin(email: string, password: string): LoadSpec {
  return {
    method: 'POST',
    path: '/rest/login-user',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email, password }),
    check: httpStatus(200),
  };
}

/** Every request a new account: `emailOf(n)` for n = 1, 2, … */
export function graphqlRegister(account: Account, emailOf: (n: number) => string): LoadSpec {
  let sent = 0;
  return {
    method: 'POST',
    path: '/graphql',
    headers: JSON_HEADERS,
    body: () => JSON.stringify({ query: REGISTER_MUTATION, variables: { ...account, email: emailOf(++sent) } }),
    check: graphqlData('"registerUser":{"token"'),
  };
}

/**
 * Refresh tokens rotate: each is good once, and its answer carries the next. Connections take a
 * token when they build a request and put back the one the answer carries, so the pool stays as
 * large as the number of connections for as long as answers succeed.
 */
export class TokenPool {
  #tokens: string[];

  constructor(tokens: readonly string[]) {
    this.#tokens = [...tokens];
  }

  take(): string {
    // An empty pool means answers were lost; the request then fails and is counted as an error.
    return this.#tokens.pop() ?? 'exhausted';
  }

  giveBackFrom(body: string): void {
    try {
      const next = (JSON.parse(body) as { data?: { refreshToken?: { refreshToken?: unknown } } }).data?.refreshToken?.refreshToken;
      if (typeof next === 'string') this.#tokens.push(next);
    } catch {
      // Not JSON: a failed answer, already counted by the check.
    }
  }
}

/**
 * Refreshes at scale come from many clients: each request from an address of its own (Janus runs
 * with JANUS_TRUST_PROXY in the bench). From one address the rate limiter's log for it would hold
 * every request of the window, since the bench's limit is out of reach, and the limiter filters
 * that log on every request: a cost growing with the run that no deployment has, where the log
 * holds at most the limit (10 by default).
 */
function clientAddresses(): () => Record<string, string> {
  let sent = 0;
  return () => {
    sent += 1;
    return { 'x-forwarded-for': `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}` };
  };
}

export function graphqlRefresh(pool: TokenPool): LoadSpec {
  return {
    method: 'POST',
    path: '/graphql',
    headers: JSON_HEADERS,
    headersFor: clientAddresses(),
    body: () => JSON.stringify({ query: REFRESH_MUTATION, variables: { refreshToken: pool.take() } }),
    check: graphqlData('"refreshToken":{"token"'),
    observe: (_status, body) => pool.giveBackFrom(body),
  };
}

/** The floor's rotation answers in the same shape as Janus's GraphQL mutation. */
export function floorRefresh(pool: TokenPool): LoadSpec {
  return {
    method: 'POST',
    path: '/refresh',
    headers: JSON_HEADERS,
    body: () => JSON.stringify({ refreshToken: pool.take() }),
    check: graphqlData('"refreshToken":{"token"'),
    observe: (_status, body) => pool.giveBackFrom(body),
  };
}
