import cluster from 'node:cluster';
import type { Config } from './config.ts';
import { startServer } from './server.ts';
import { lowerThreadPoolPriority } from './thread-pool-priority.ts';

/** Serves until SIGTERM/SIGINT, then drains and exits 0 (1 if closing failed). */
export async function runServer(config: Config): Promise<void> {
  const server = await startServer(config);
  // A scheduling preference, not a requirement: a sandbox that refuses it costs latency, not service.
  await lowerThreadPoolPriority(config.threadPoolNice).then(
    (threads) => server.logger.debug({ threads, nice: config.threadPoolNice }, 'thread pool below the event loop'),
    (error: unknown) => server.logger.warn({ err: error }, 'could not lower the thread pool priority'),
  );
  server.logger.info(
    { database: server.database.description, appliedMigrations: server.database.appliedMigrations },
    'janus started',
  );
  // Workers share one port: one banner is enough.
  if (!cluster.isWorker || cluster.worker?.id === 1) {
    process.stdout.write(
      [
        `Janus is listening on ${server.url}${config.workers > 1 ? ` (${config.workers} workers)` : ''}`,
        `  GraphQL  ${server.graphqlUrl}${config.graphiql ? ' (GraphiQL in a browser)' : ''}`,
        `  REST     ${server.restUrl}`,
        `  OpenAPI  ${server.openApiUrl}`,
        `  Docs     ${server.restDocsUrl}`,
        `  Database ${server.database.description}`,
        '',
      ].join('\n'),
    );
  }
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
