/**
 * The soak's mixed load: virtual clients, each one user at a time, registering, logging in,
 * calling `me` and rotating refresh tokens on REST or GraphQL at random, with plain `fetch`.
 * Every answer is checked against what the contract promises for that call.
 */
import { benchAccount, type Account } from './client.ts';
import { tally } from './stats.ts';

export const KINDS = ['register', 'login', 'me', 'refresh'] as const;
export type Kind = (typeof KINDS)[number];
export type Surface = 'rest' | 'graphql';

export interface TrafficResult {
  /** From the first request to the last answer. */
  seconds: number;
  latenciesMs: Record<Kind, number[]>;
  counts: Record<Kind, Record<Surface, number>>;
  /** "kind surface: reason" → count. */
  unexpected: Record<string, number>;
  /** HTTP 5xx, or a GraphQL error coded as a server failure (GraphQL answers those with 200). */
  serverErrors: number;
  serverErrorSamples: string[];
  /** Accounts whose registration was answered 200 with a token pair. */
  registered: Account[];
}

const REQUEST_TIMEOUT_MS = 30_000;
/** After a refused or broken connection: a Janus that went away must not be hammered in a tight loop. */
const CONNECTION_ERROR_PAUSE_MS = 100;
const SAMPLES_KEPT = 5;
const SAMPLE_CHARS = 400;
const SERVER_ERROR_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

const PAYLOAD = 'token refreshToken user { id email }';
const GRAPHQL: Record<Kind, { field: string; query: string }> = {
  register: {
    field: 'registerUser',
    query:
      'mutation ($email: String!, $password: String!, $firstName: String!, $lastName: String!, $phoneNumber: String!, $role: String!) ' +
      `{ registerUser(email: $email, password: $password, firstName: $firstName, lastName: $lastName, phoneNumber: $phoneNumber, role: $role) { ${PAYLOAD} } }`,
  },
  login: { field: 'loginUser', query: `mutation ($email: String!, $password: String!) { loginUser(email: $email, password: $password) { ${PAYLOAD} } }` },
  me: { field: 'me', query: '{ me { id email } }' },
  refresh: { field: 'refreshToken', query: `mutation ($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { ${PAYLOAD} } }` },
};
const REST: Record<Kind, { method: 'GET' | 'POST'; path: string }> = {
  register: { method: 'POST', path: '/rest/register-user' },
  login: { method: 'POST', path: '/rest/login-user' },
  me: { method: 'GET', path: '/rest/me' },
  refresh: { method: 'POST', path: '/rest/refresh-token' },
};

interface Session {
  account: Account | undefined;
  token: string | undefined;
  refreshToken: string | undefined;
}

interface Outcome {
  ms: number;
  failure: string | undefined;
  connectionLost: boolean;
  /** The start of the answer, when it was a server failure. */
  serverError: string | undefined;
  token: string | undefined;
  refreshToken: string | undefined;
}

function prop(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCode(json: unknown): string | undefined {
  const errors = prop(json, 'errors');
  const code = Array.isArray(errors) ? prop(prop(errors[0], 'extensions'), 'code') : undefined;
  return typeof code === 'string' ? code : Array.isArray(errors) ? 'error without code' : undefined;
}

/** The arguments of the call: the REST body, and the GraphQL variables under the same names. */
function argumentsOf(kind: Kind, account: Account, session: Session): Record<string, string> | undefined {
  if (kind === 'register') return { ...account };
  if (kind === 'login') return { email: account.email, password: account.password };
  if (kind === 'refresh') return { refreshToken: session.refreshToken ?? '' };
  return undefined;
}

function requestOf(origin: string, kind: Kind, surface: Surface, args: Record<string, string> | undefined, token: string | undefined) {
  const headers: Record<string, string> = {};
  // Only `me` needs the access token: sending it elsewhere would test nothing more.
  if (kind === 'me' && token) headers.authorization = `Bearer ${token}`;
  if (surface === 'graphql') {
    headers['content-type'] = 'application/json';
    const body = JSON.stringify({ query: GRAPHQL[kind].query, variables: args ?? {} });
    return { url: `${origin}/graphql`, init: { method: 'POST', headers, body } };
  }
  const { method, path } = REST[kind];
  if (args) headers['content-type'] = 'application/json';
  return { url: `${origin}${path}`, init: { method, headers, body: args ? JSON.stringify(args) : undefined } };
}

/** Why the answer is not the one the contract promises (HTTP 200, the data, the right user), or undefined. */
function judge(kind: Kind, surface: Surface, status: number, json: unknown, email: string): string | undefined {
  const code = errorCode(json);
  if (status !== 200) return `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (json === undefined) return 'HTTP 200, not JSON';
  if (surface === 'graphql' && code) return code;
  const data = surface === 'rest' ? json : prop(prop(json, 'data'), GRAPHQL[kind].field);
  if (typeof data !== 'object' || data === null) return 'no data';
  const answeredEmail = kind === 'me' ? prop(data, 'email') : prop(prop(data, 'user'), 'email');
  if (answeredEmail !== email) return 'another user';
  if (kind !== 'me' && (typeof prop(data, 'token') !== 'string' || typeof prop(data, 'refreshToken') !== 'string')) return 'no token pair';
  return undefined;
}

function fetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timeout (${REQUEST_TIMEOUT_MS / 1000} s)`;
  const cause = error instanceof Error ? prop(error.cause, 'code') : undefined;
  return `connection error${typeof cause === 'string' ? ` ${cause}` : ''}`;
}

async function call(origin: string, kind: Kind, surface: Surface, session: Session, account: Account, stop: AbortSignal): Promise<Outcome> {
  const { url, init } = requestOf(origin, kind, surface, argumentsOf(kind, account, session), session.token);
  const started = performance.now();
  const none = { serverError: undefined, token: undefined, refreshToken: undefined, connectionLost: false };
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), stop]) });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const failure = fetchFailure(error);
    return { ...none, ms: performance.now() - started, failure, connectionLost: failure.startsWith('connection error') };
  }
  const ms = performance.now() - started;
  const json = parseJson(text);
  const failure = judge(kind, surface, status, json, account.email);
  const code = errorCode(json);
  const serverError = status >= 500 || (code !== undefined && SERVER_ERROR_CODES.has(code)) ? text.slice(0, SAMPLE_CHARS) : undefined;
  const data = surface === 'rest' ? json : prop(prop(json, 'data'), GRAPHQL[kind].field);
  const token = prop(data, 'token');
  const refreshToken = prop(data, 'refreshToken');
  return {
    ms,
    failure,
    connectionLost: false,
    serverError,
    token: typeof token === 'string' ? token : undefined,
    refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
  };
}

/** Register first; log in when the session was lost; otherwise a mix weighted towards `me`. */
function nextKind(session: Session): Kind {
  if (!session.account) return 'register';
  if (!session.token || !session.refreshToken) return 'login';
  const roll = Math.random();
  return roll < 0.15 ? 'register' : roll < 0.3 ? 'login' : roll < 0.7 ? 'me' : 'refresh';
}

class Traffic {
  readonly result: TrafficResult;
  readonly #origin: string;
  readonly #tag: string;
  readonly #stop: AbortSignal;
  #emails = 0;

  constructor(origin: string, tag: string, stop: AbortSignal) {
    this.#origin = origin;
    this.#tag = tag;
    this.#stop = stop;
    const perKind = <T>(make: () => T) => Object.fromEntries(KINDS.map((kind) => [kind, make()])) as Record<Kind, T>;
    this.result = {
      seconds: 0,
      latenciesMs: perKind(() => []),
      counts: perKind(() => ({ rest: 0, graphql: 0 })),
      unexpected: {},
      serverErrors: 0,
      serverErrorSamples: [],
      registered: [],
    };
  }

  async client(deadline: number): Promise<void> {
    const session: Session = { account: undefined, token: undefined, refreshToken: undefined };
    while (performance.now() < deadline && !this.#stop.aborted) await this.#step(session, nextKind(session));
  }

  async #step(session: Session, kind: Kind): Promise<void> {
    const account = kind === 'register' ? benchAccount(`soak-${this.#tag}-${(this.#emails += 1)}@example.com`) : session.account;
    if (!account) throw new Error(`${kind} before any registration`);
    const surface: Surface = Math.random() < 0.5 ? 'rest' : 'graphql';
    const outcome = await call(this.#origin, kind, surface, session, account, this.#stop);
    // An answer cut short by Ctrl-C says nothing about Janus.
    if (this.#stop.aborted) return;
    this.#record(kind, surface, outcome);
    if (outcome.connectionLost) await new Promise((resolve) => setTimeout(resolve, CONNECTION_ERROR_PAUSE_MS));
    if (outcome.failure) {
      // A failed registration leaves the current session alone; any other failure may mean
      // the session is gone (a refresh token judged reused revokes it), so log in afresh.
      if (kind !== 'register') Object.assign(session, { token: undefined, refreshToken: undefined });
      return;
    }
    if (kind === 'register') this.result.registered.push(account);
    if (kind !== 'me') Object.assign(session, { account, token: outcome.token, refreshToken: outcome.refreshToken });
  }

  #record(kind: Kind, surface: Surface, outcome: Outcome): void {
    const { result } = this;
    result.counts[kind][surface] += 1;
    result.latenciesMs[kind].push(outcome.ms);
    if (outcome.serverError !== undefined) {
      result.serverErrors += 1;
      if (result.serverErrorSamples.length < SAMPLES_KEPT) result.serverErrorSamples.push(`${kind} ${surface}: ${outcome.serverError}`);
    }
    if (outcome.failure) tally(result.unexpected, `${kind} ${surface}: ${outcome.failure}`);
  }
}

/**
 * `clients` virtual clients for `seconds`; the requests in flight at the end are awaited and
 * counted. `stop` ends the load at once, requests in flight included.
 */
export async function runTraffic(options: { origin: string; clients: number; seconds: number; tag: string; stop: AbortSignal }): Promise<TrafficResult> {
  const traffic = new Traffic(options.origin, options.tag, options.stop);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(Array.from({ length: options.clients }, () => traffic.client(deadline)));
  traffic.result.seconds = (performance.now() - started) / 1000;
  return traffic.result;
}

export function totalRequests(result: TrafficResult): number {
  return KINDS.reduce((sum, kind) => sum + result.counts[kind].rest + result.counts[kind].graphql, 0);
}
