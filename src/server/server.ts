import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSigningKey } from '../auth/keys.ts';
import { openDatabase, type Database } from '../db/orm.ts';
import { createApp, GRAPHQL_PATH, REST_BASE_PATH } from './app.ts';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices, type Services } from './services.ts';

export interface RunningServer {
  url: string;
  graphqlUrl: string;
  restUrl: string;
  openApiUrl: string;
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

/** Opens the database (applying migrations), loads the signing key and serves both surfaces. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const key = await loadSigningKey({ alg: config.jwt.algorithm, privateKey: config.jwt.privateKey, dataDir: config.dataDir });
    const services = createServices(config, database.orm, key);
    const app = createApp({ services, logger });
    const server = createServer(app);
    const address = await listen(server, config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    return {
      url,
      graphqlUrl: `${url}${GRAPHQL_PATH}`,
      restUrl: `${url}${REST_BASE_PATH}`,
      openApiUrl: `${url}${REST_BASE_PATH}/openapi.json`,
      database,
      services,
      logger,
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
