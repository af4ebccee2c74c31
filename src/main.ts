import cluster from 'node:cluster';
import { ConfigError } from './shared/config-error.ts';
import { LOGIN_RATE_LIMIT_DEFAULT, loadConfig, type Config } from './app/config.ts';
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
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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
