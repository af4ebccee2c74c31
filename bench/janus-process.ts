import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnNode, residentBytes, type NodeChild } from './children.ts';

export type DatabaseMode = 'embedded' | 'server';

export interface JanusProcess {
  mode: DatabaseMode;
  /** e.g. http://127.0.0.1:41234, without a path. */
  origin: string;
  dataDir: string;
  child: NodeChild;
  rss(): Promise<number>;
  /** Throws with the server's last output if it is no longer running. */
  assertAlive(): void;
  stop(): Promise<void>;
}

// The embedded database (PGlite) takes ~10-15 s to initialise on this machine; be generous.
const START_TIMEOUT_MS = 120_000;

/** Variables of the runner's environment that would change what Janus does; the bench sets its own. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('JANUS_') || name === 'DATABASE_URL' || name === 'PORT' || name === 'HOST') delete env[name];
  }
  return env;
}

let built: Promise<void> | undefined;

/** `npm run build` into dist/, once per bench process: Janus is measured as `npm start` runs it. */
function buildOnce(repoRoot: string): Promise<void> {
  built ??= promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'build.ts')], { cwd: repoRoot }).then(
    () => undefined,
    (error: unknown) => {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${stdout ?? ''}${stderr ?? ''}`);
    },
  );
  return built;
}

/** `node dist/src/main.js` (built first) in production mode, as `npm start` runs it. */
export async function startJanus(options: {
  repoRoot: string;
  mode: DatabaseMode;
  dataDir: string;
  databaseUrl: string | undefined;
  bcryptCost: number;
  core: number | undefined;
  /** Node flags for Janus, as a deployer would give them (docs/operations.md). */
  nodeFlags?: string[];
  /** Set on top of the bench's own environment (a variant under comparison). */
  extraEnv?: Record<string, string>;
}): Promise<JanusProcess> {
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    NODE_ENV: 'production',
    // Required in production; nothing the benchmark does reads a TOTP secret.
    JANUS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    BCRYPT_COST: String(options.bcryptCost),
    JANUS_DATA_DIR: options.dataDir,
    // One instance whose generated key the floor reads from the data folder (docs/keys.md).
    JANUS_SINGLE_INSTANCE: 'true',
    // One access token serves a whole run, which can outlast the 15-minute default; the
    // lifetime changes nothing in the work of a request.
    JANUS_ACCESS_TOKEN_TTL: '86400',
    // The bench logs in, registers and refreshes hundreds of times a minute: with the
    // default limits nearly every answer would be RATE_LIMITED. Limits it never reaches keep
    // the limiter's bookkeeping in the measured work without its rejections.
    JANUS_LOGIN_RATE_LIMIT: '1000000000/300',
    JANUS_REFRESH_RATE_LIMIT: '1000000000/300',
    // The refresh row sends each request from an address of its own (scenarios.ts); other rows
    // send no X-Forwarded-For and count under the socket's address as before.
    JANUS_TRUST_PROXY: 'true',
    // Likewise every connection may be hashing at once, more than the default queue allows on a
    // pinned core: the bench measures throughput, not the refusal of a burst.
    JANUS_BCRYPT_QUEUE: '100000',
    ...options.extraEnv,
  };
  if (options.mode === 'server') {
    if (!options.databaseUrl) throw new Error('server mode needs a database URL');
    env.DATABASE_URL = options.databaseUrl;
  }
  await buildOnce(options.repoRoot);
  const child = spawnNode({
    label: `Janus (${options.mode}${options.extraEnv ? ` ${Object.entries(options.extraEnv).map(([name, value]) => `${name}=${value}`).join(' ')}` : ''})`,
    script: path.join('dist', 'src', 'main.js'),
    nodeFlags: options.nodeFlags,
    env,
    core: options.core,
    // Where `npm start` runs from.
    cwd: options.repoRoot,
  });
  let graphqlUrl: string;
  try {
    const match = await child.waitForLine(/^\s*GraphQL\s+(http:\/\/\S+)/, START_TIMEOUT_MS);
    graphqlUrl = match[1]!;
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    mode: options.mode,
    origin: new URL(graphqlUrl).origin,
    dataDir: options.dataDir,
    child,
    rss: () => residentBytes(child.pid),
    assertAlive() {
      const status = child.exitStatus();
      if (status !== undefined) throw new Error(`${child.label} ended during the run (${status}):\n${child.tail()}`);
    },
    stop: () => child.stop(),
  };
}

/** Where Janus keeps the signing key it generated on first start (src/auth/keys.ts). */
export function generatedKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'jwt-eddsa.key');
}
