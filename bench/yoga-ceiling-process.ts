import path from 'node:path';
import { startHelperServer, type HelperServer } from './children.ts';

/** Starts bench/yoga-ceiling.ts (a bare graphql-yoga answering `me` from a constant) on the server core. */
export function startYogaCeiling(options: { repoRoot: string; core: number | undefined }): Promise<HelperServer> {
  return startHelperServer({
    label: 'yoga ceiling',
    script: path.join('bench', 'yoga-ceiling.ts'),
    env: { ...process.env, NODE_ENV: 'production' },
    core: options.core,
    cwd: options.repoRoot,
  });
}
