import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  server.logger.info(
    { database: server.database.description, appliedMigrations: server.database.appliedMigrations },
    'janus started',
  );
  process.stdout.write(
    [
      `Janus is listening on ${server.url}`,
      `  GraphQL  ${server.graphqlUrl}`,
      `  REST     ${server.restUrl}`,
      `  OpenAPI  ${server.openApiUrl}`,
      `  Database ${server.database.description}`,
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `start-up failed: ${(error as Error).message}`;
  process.stderr.write(`janus: ${message}\n`);
  process.exit(1);
});
