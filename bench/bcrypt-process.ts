import path from 'node:path';
import { spawnNode } from './children.ts';
import type { LoadShape } from './load.ts';
import type { Measurement } from './stats.ts';

export interface BcryptMeasurement extends Measurement {
  threads: number;
  /** One operation with nothing else running. */
  singleMs: number;
}

/** Runs bench/bcrypt-floor.ts as a child pinned like the server and returns what it measured. */
export async function measureBcrypt(options: {
  repoRoot: string;
  mode: 'compare' | 'hash';
  cost: number;
  shape: LoadShape;
  core: number | undefined;
}): Promise<BcryptMeasurement> {
  const { shape } = options;
  const child = spawnNode({
    label: `bcrypt ${options.mode} floor`,
    script: path.join('bench', 'bcrypt-floor.ts'),
    args: [options.mode, String(options.cost), String(shape.warmupSeconds), String(shape.seconds)],
    env: process.env,
    core: options.core,
    cwd: options.repoRoot,
  });
  try {
    // The last operation started before the end may take several rounds' time at high cost.
    const limitMs = (shape.warmupSeconds + shape.seconds) * 1000 + 60_000;
    const match = await child.waitForLine(/^(\{.*\})$/, limitMs);
    return JSON.parse(match[1]!) as BcryptMeasurement;
  } finally {
    await child.stop();
  }
}
