import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = {
  server: fileURLToPath(new URL('../../src/main.ts', import.meta.url)),
  cli: fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)),
};

export interface JanusProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with the URL printed after `label` in the start banner (e.g. `REST`). */
  bannerUrl(label: string): Promise<string>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
}

/**
 * Runs Janus as an operator would (the server, or with `entry: 'cli'` the CLI, or any `entryFile`
 * such as the built server) on Node 24 with a clean environment: PATH, the test database, a low
 * bcrypt cost, and `env` on top. `nodeArgs` go to Node before the entry file.
 */
export function spawnJanus(options: {
  env?: Record<string, string>;
  database?: TestDatabase;
  entry?: keyof typeof entries;
  entryFile?: string;
  nodeArgs?: string[];
  args?: string[];
  cwd?: string;
  stdin?: string;
  /** Instead of Node on an entry file: `npm run <npmScript>` in the repository, in its own process group. */
  npmScript?: string;
}): JanusProcess {
  const { database } = options;
  const entryFile = options.entryFile ?? entries[options.entry ?? 'server'];
  const [command, commandArgs] = options.npmScript
    ? ['npm', ['run', options.npmScript, '--', ...(options.args ?? [])]]
    : [process.execPath, [...(options.nodeArgs ?? []), entryFile, ...(options.args ?? [])]];
  const child = spawn(command, commandArgs, {
    env: {
      PATH: process.env.PATH ?? '',
      // npm keeps its cache and configuration under HOME.
      ...(options.npmScript ? { HOME: process.env.HOME ?? '' } : {}),
      PORT: '0',
      BCRYPT_COST: '4',
      ...(database ? { JANUS_DATA_DIR: database.dataDir } : {}),
      ...(database?.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      ...options.env,
    },
    cwd: options.npmScript ? root : options.cwd,
    detached: options.npmScript !== undefined,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited: () => exit,
    async bannerUrl(label) {
      const pattern = new RegExp(`${label}\\s+(http://\\S+)`);
      for (;;) {
        const found = pattern.exec(stdout)?.[1];
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`janus exited early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** The PIDs of a process's children (none once it has ended). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
