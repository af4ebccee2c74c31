import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/app/logger.ts';
import { startServer, type RunningServer } from '../../src/app/server.ts';
import { authorization, restClient } from './clients.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { assertDocumentedAnswer } from './openapi-responses.ts';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** The parts of a GraphQL response the tests read. */
export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface TestServer {
  url: string;
  running: RunningServer;
  database: TestDatabase;
  graphql<T = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string; operationName?: string },
  ): Promise<HttpResult<GraphQLBody<T>>>;
  rest<T = unknown>(method: string, path: string, options?: { body?: unknown; token?: string; rawBody?: string }): Promise<HttpResult<T>>;
  /** Stops the HTTP server and the database connection, keeping the data. */
  stop(): Promise<void>;
  /** Stops, then removes the test database. */
  close(): Promise<void>;
}

async function parse<T>(response: Response): Promise<HttpResult<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

function headers(token: string | undefined, json: boolean): Record<string, string> {
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...authorization(token),
  };
}

/** Starts the real HTTP server on a free port against a database of its own. */
export async function startTestServer(
  env: Record<string, string> = {},
  database?: TestDatabase,
  logger?: Logger,
): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig({
    PORT: '0',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    // Every test logs in and refreshes from 127.0.0.1: the rate-limit tests set their own, lower limits.
    JANUS_LOGIN_RATE_LIMIT: '100000/300',
    JANUS_REFRESH_RATE_LIMIT: '100000/300',
    // Tests mail one address many times: the mail-throttle tests set their own interval.
    JANUS_MAIL_MIN_INTERVAL: '0',
    // Tests register and log in concurrently: the bcrypt-queue test sets its own bound.
    JANUS_BCRYPT_QUEUE: '100000',
    JANUS_DATA_DIR: db.dataDir,
    // One server per test: a generated signing key is fine, also in production mode (docs/keys.md).
    JANUS_SINGLE_INSTANCE: 'true',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...env,
  });
  const running = await startServer(config, logger);
  return {
    url: running.url,
    running,
    database: db,
    async graphql(query, { variables, token, operationName } = {}) {
      const response = await fetch(running.graphqlUrl, {
        method: 'POST',
        headers: { ...headers(token, true), accept: 'application/json' },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return parse(response);
    },
    async rest<T>(method: string, path: string, options: Parameters<TestServer['rest']>[2] = {}) {
      const hasBody = options.body !== undefined || options.rawBody !== undefined;
      const response = await fetch(`${running.restUrl}${path}`, {
        method,
        headers: headers(options.token, hasBody),
        body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const result = await parse<T>(response);
      assertDocumentedAnswer({ method, path, ...result });
      return result;
    },
    stop: () => running.close(),
    async close() {
      await running.close();
      await db.dispose();
    },
  };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

export function registration(overrides: Partial<Record<string, string>> = {}) {
  return {
    email: uniqueEmail(),
    password: 'correct horse battery',
    firstName: 'Ada',
    lastName: 'Lovelace',
    phoneNumber: '+44 20 7946 0000',
    role: 'employee',
    ...overrides,
  };
}

/** Creates an account with any role (as the operator CLI does) and logs it in over REST. */
export async function accountWithRole(server: TestServer, role: string): Promise<{ id: string; email: string; token: string; refreshToken: string }> {
  const input = registration({ role });
  const user = await server.running.services.accounts.createAccount(input);
  const { data, response } = await restClient(server.running.restUrl).POST('/login-user', {
    body: { email: input.email, password: input.password },
  });
  if (!data) throw new Error(`login as ${role} failed with ${response.status}`);
  return { id: user.id, email: user.email, token: data.token, refreshToken: data.refreshToken };
}

/** What the verification link does (email.test.ts proves the link itself), for tests of other flows. */
export async function confirmAddress(server: TestServer, userId: string): Promise<void> {
  await server.running.database.orm.em.getConnection().execute('update users set email_verified = true where id = ?', [userId]);
}

/** A logger whose JSON lines the test can read back. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const logger = createLogger(level, { write: (chunk: string) => void chunks.push(chunk) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
