import path from 'node:path';
import { startHelperServer, type HelperServer } from './children.ts';

export type FloorProcess = HelperServer;

/** Starts bench/floor.ts on the server core, verifying with Janus's key and querying Janus's database. */
export function startFloor(options: { repoRoot: string; keyFile: string; databaseUrl: string; core: number | undefined }): Promise<FloorProcess> {
  return startHelperServer({
    label: 'floor',
    script: path.join('bench', 'floor.ts'),
    env: { ...process.env, NODE_ENV: 'production', FLOOR_KEY_FILE: options.keyFile, FLOOR_DATABASE_URL: options.databaseUrl },
    core: options.core,
    cwd: options.repoRoot,
  });
}
