import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from '../db/orm.ts';
import { createOperations } from '../graphql/yoga.ts';
import { createCors } from '../http/cors.ts';
import { createEdge, type PlainEndpoint } from '../http/edge.ts';
import { JWKS_PATH, jwksEndpoint } from '../http/jwks.ts';
import { createMetrics, metricsEndpoint } from '../http/metrics.ts';
import { readyEndpoint } from '../http/ready.ts';
import { MemoryRateLimitStore } from '../ratelimit/memory-store.ts';
import type { RateLimitStore } from '../ratelimit/store.ts';
import { restDocsEndpoints } from '../rest/docs.ts';
import { openApiEndpoint } from '../rest/openapi/endpoint.ts';
import { buildOpenApiDocument } from '../rest/openapi/document.ts';
import { API_INFO } from '../rest/openapi/info.ts';
import { OPENAPI_PATH, REST_BASE_PATH, REST_DOCS_PATH, restRoutesOf } from '../rest/routes.ts';
import { createErrorRenderer } from '../shared/client-errors.ts';
import { mailDeliveryOf, type Config } from '../config/config.ts';
import { loadKeyRing, publicJwksOf } from '../config/keyring.ts';
import { scheduleHousekeeping } from './housekeeping.ts';
import { createLogger, type Logger } from './logger.ts';
import { appSchema, composition } from './composition.ts';
import { createServices, type Services } from './services.ts';
import { startMailSender, type MailSender } from '../mail/sender.ts';
import { devMailDir } from '../mail/dev-mailbox.ts';
import { fileTransport, smtpTransport, type MailTransport } from '../mail/transport.ts';

export const GRAPHQL_PATH = '/graphql';
export const BODY_LIMIT_BYTES = 100 * 1024;

export interface RunningServer {
  url: string;
  graphqlUrl: string;
  restUrl: string;
  openApiUrl: string;
  restDocsUrl: string;
  database: Database;
  services: Services;
  logger: Logger;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The login counters, and how to let go of them at shutdown. */
async function createRateLimitStore(config: Config, logger: Logger): Promise<RateLimitStore> {
  const memory = new MemoryRateLimitStore();
  if (!config.redisUrl) return memory;
  // Loaded only when configured: ioredis and what it pulls in would otherwise cost every instance memory for nothing.
  const { FailOpenRedisStore } = await import('../ratelimit/redis-store.ts');
  const redis = new FailOpenRedisStore(config.redisUrl, memory, logger);
  await redis.connect();
  return redis;
}

/** Starts delivering the outbox (SMTP, or .eml files in development); says once when mail is off. */
function startMail(config: Config, services: Services, logger: Logger, observe: (outcome: 'delivered' | 'failed') => void): MailSender | undefined {
  const delivery = mailDeliveryOf(config);
  let transport: MailTransport;
  if (delivery === 'disabled') {
    logger.warn('mail is disabled (production without JANUS_SMTP_URL): no verification or password-reset mail is sent');
    return undefined;
  }
  if (delivery === 'smtp') {
    transport = smtpTransport(config.mail.smtpUrl!, config.mail.from);
  } else {
    const dir = devMailDir(config.dataDir);
    logger.info({ dir }, 'no JANUS_SMTP_URL: mail is written as .eml files');
    transport = fileTransport(dir, config.mail.from, (file) => logger.info({ file }, 'mail written'));
  }
  return startMailSender({ outbox: services.outbox, transport, logger, observe });
}

const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Stops accepting connections and lets the requests in flight finish, for at most
 * DRAIN_TIMEOUT_MS; idle keep-alive connections are closed at once, and whatever is still open
 * at the deadline is cut.
 */
function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Opens the database (applying migrations), loads the signing key and serves both surfaces. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, modules: composition });
  let mailSender: MailSender | undefined;
  let stopHousekeeping: (() => Promise<void>) | undefined;
  try {
    const keys = await loadKeyRing(config);
    // The backlog is read only when /metrics is scraped, by then `services` exists.
    const metrics = createMetrics(await database.orm.em.getConnection().getNativeClient(), {
      mailBacklog: () => services.outbox.backlog(),
    });
    const services = createServices(config, database, keys, metrics.observeHashing);
    mailSender = startMail(config, services, logger, (outcome) => metrics.mailDeliveries.inc({ outcome }));
    const rateLimits = await createRateLimitStore(config, logger);
    const schema = appSchema();
    const routes = restRoutesOf(schema);
    const rest = { basePath: REST_BASE_PATH, routes };
    const errors = createErrorRenderer(logger);
    const renderError = (error: unknown) => errors.rest([error]);
    const operations = createOperations({ schema, graphqlPath: GRAPHQL_PATH, rest, config, services, logger, errors, rateLimitStore: rateLimits, metrics });
    const endpoints = new Map<string, PlainEndpoint>([
      ['/health', { handle: () => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"status":"ok"}' }) }],
      ['/ready', { handle: readyEndpoint(database.orm, renderError) }],
      ['/metrics', { handle: metricsEndpoint(metrics, config.metricsToken, renderError) }],
      [JWKS_PATH, { handle: jwksEndpoint(publicJwksOf(keys)) }],
      [`${REST_BASE_PATH}${OPENAPI_PATH}`, { handle: openApiEndpoint(buildOpenApiDocument(schema, API_INFO)) }],
      ...[...restDocsEndpoints(REST_BASE_PATH)].map(([path, handle]): [string, PlainEndpoint] => [path, { handle }]),
    ]);
    const edge = createEdge({
      graphqlPath: GRAPHQL_PATH,
      rest,
      endpoints,
      operations: (request, response, context) => operations.handle(request, response, context),
      bodyLimitBytes: BODY_LIMIT_BYTES,
      cors: createCors(config.cors),
      checkToken: (token) => services.tokens.checkAccessToken(token),
      errors,
      trustProxy: config.trustProxy,
      logger,
      metrics,
    });
    const stopRounds = scheduleHousekeeping({ orm: database.orm, tokens: services.tokens, auditRetentionDays: config.auditRetentionDays }, logger);
    stopHousekeeping = stopRounds;
    // Node checks the timeouts below only this often (30 s by default).
    const server = createServer({ connectionsCheckingInterval: 1_000 }, (request, response) => {
      // While draining, a keep-alive client is told to reconnect (elsewhere) after this answer.
      if (!server.listening) response.setHeader('connection', 'close');
      edge(request, response);
    });
    // A client that trickles its request in holds a connection and a socket: it gets seconds, not minutes.
    server.requestTimeout = config.requestTimeoutMs;
    server.headersTimeout = config.headersTimeoutMs;
    const address = await listen(server, config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    return {
      url,
      graphqlUrl: `${url}${GRAPHQL_PATH}`,
      restUrl: `${url}${REST_BASE_PATH}`,
      openApiUrl: `${url}${REST_BASE_PATH}${OPENAPI_PATH}`,
      restDocsUrl: `${url}${REST_BASE_PATH}${REST_DOCS_PATH}`,
      database,
      services,
      logger,
      async close() {
        const purged = stopRounds();
        await drain(server);
        await mailSender?.stop();
        await purged;
        await rateLimits.close();
        await database.close();
      },
    };
  } catch (error) {
    // A start that fails late (e.g. the port is taken) has a housekeeping round under way:
    // closing the database under it would hang instead of reporting the failure.
    await stopHousekeeping?.();
    await mailSender?.stop();
    await database.close();
    throw error;
  }
}
