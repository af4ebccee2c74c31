import cluster from 'node:cluster';
import { ConfigError } from './shared/config-error.ts';
import { LOGIN_RATE_LIMIT_DEFAULT, loadConfig, type Config } from './config/config.ts';
import { runPrimary } from './app/cluster.ts';
import { startServer } from './app/server.ts';

/** Serves until SIGTERM/SIGINT, then drains and exits 0 (1 if closing failed). */
async function serve(config: Config): Promise<void> {
  const server = await startServer(config);
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
        ...(config.developmentLoginRateLimit
          ? [`  Limits   ${config.loginRateLimit.max} logins per ${config.loginRateLimit.windowSeconds} s per address: the development default (production: ${LOGIN_RATE_LIMIT_DEFAULT.production}; set JANUS_LOGIN_RATE_LIMIT)`]
          : []),
        '',
      ].join('\n'),
    );
  }
  let draining = false;
  const stop = (signal: NodeJS.Signals): void => {
    // Ctrl-C under `npm start` arrives twice (from the terminal and forwarded by npm): a repeat
    // must not cut the drain short.
    if (draining) return;
    draining = true;
    server.logger.info({ signal }, 'janus draining: no new connections, finishing requests in flight');
    server.close().then(
      () => {
        server.logger.info('janus drained: exiting');
        process.exit(0);
      },
      (error: unknown) => {
        server.logger.error({ err: error }, 'janus drain failed: exiting');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) await runPrimary(config);
  else await serve(config);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `start-up failed: ${(error as Error).message}`;
  process.stderr.write(`janus: ${message}\n`);
  process.exit(1);
});
