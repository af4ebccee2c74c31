import path from 'node:path';
import { spawnNode, type NodeChild } from './children.ts';

export interface FloorProcess {
  origin: string;
  child: NodeChild;
  assertAlive(): void;
  stop(): Promise<void>;
}

/** Starts bench/floor.ts on the server core, verifying with Janus's key and querying Janus's database. */
export async function startFloor(options: {
  repoRoot: string;
  keyFile: string;
  databaseUrl: string;
  core: number | undefined;
}): Promise<FloorProcess> {
  const child = spawnNode({
    label: 'floor',
    script: path.join('bench', 'floor.ts'),
    env: { ...process.env, NODE_ENV: 'production', FLOOR_KEY_FILE: options.keyFile, FLOOR_DATABASE_URL: options.databaseUrl },
    core: options.core,
    cwd: options.repoRoot,
  });
  try {
    const match = await child.waitForLine(/^floor listening (http:\/\/\S+)/, 30_000);
    return {
      origin: match[1]!,
      child,
      assertAlive() {
        const status = child.exitStatus();
        if (status !== undefined) throw new Error(`floor ended during the run (${status}):\n${child.tail()}`);
      },
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
