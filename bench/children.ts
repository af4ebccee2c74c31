import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pinnedCommand } from './affinity.ts';

const TAIL_LINES = 40;
// Longer than Janus's own drain deadline (10 s), so a server stopped under load can finish it.
const STOP_GRACE_MS = 15_000;

/** A Node 24 child process with its output kept line by line, for readiness and diagnostics. */
export interface NodeChild {
  label: string;
  pid: number;
  /** Lines written on stdout and stderr so far. */
  lineCount(): number;
  /** The last lines written, to explain a failure. */
  tail(): string;
  /** Resolves with the first line (already written or to come) that matches. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Exit code or signal once it has exited, else undefined. */
  exitStatus(): string | undefined;
  /** SIGTERM, then SIGKILL if it is still there after a grace period. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// Last resort when the runner dies without its cleanup (an uncaught error in a callback):
// no server or load keeps running on the machine after it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnNode(options: {
  label: string;
  script: string;
  args?: string[];
  /** Node's own flags, before the script (e.g. V8 flags, which NODE_OPTIONS mostly refuses). */
  nodeFlags?: string[];
  env: NodeJS.ProcessEnv;
  core: number | undefined;
  cwd: string;
}): NodeChild {
  // process.execPath is the Node 24 the runner itself runs on (npm puts the pinned `node` first).
  const argv = [process.execPath, ...(options.nodeFlags ?? []), options.script, ...(options.args ?? [])];
  const { command, args } = pinnedCommand(options.core, argv);
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let spawnError: Error | undefined;
  // Without a listener a failed spawn (e.g. ENOENT) would be an uncaught exception in the runner.
  child.once('error', (error) => {
    spawnError = error;
  });
  if (child.pid === undefined) throw new Error(`${options.label}: could not start ${command}`);
  running.add(child);

  const lines: string[] = [];
  let count = 0;
  const waiters = new Set<(line: string) => void>();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      count += 1;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      for (const waiter of waiters) waiter(line);
    });
  }

  const exitStatus = (): string | undefined => {
    if (spawnError) return spawnError.message;
    if (child.exitCode !== null) return `exit code ${child.exitCode}`;
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return undefined;
  };
  const tail = (): string => lines.join('\n');

  return {
    label: options.label,
    pid: child.pid,
    lineCount: () => count,
    tail,
    exitStatus,
    waitForLine(pattern, timeoutMs) {
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const finish = (error: Error | undefined, match?: RegExpMatchArray): void => {
          clearTimeout(timer);
          waiters.delete(onLine);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(match!);
        };
        const onLine = (line: string): void => {
          const match = pattern.exec(line);
          if (match) finish(undefined, match);
        };
        const onExit = (): void =>
          finish(new Error(`${options.label} ended (${exitStatus()}) before it was ready:\n${tail()}`));
        const timer = setTimeout(
          () => finish(new Error(`${options.label} not ready after ${timeoutMs / 1000} s:\n${tail()}`)),
          timeoutMs,
        );
        waiters.add(onLine);
        child.once('exit', onExit);
      });
    },
    async stop() {
      if (exitStatus() !== undefined) return;
      child.kill('SIGTERM');
      const grace = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_GRACE_MS).unref());
      if ((await Promise.race([exited.then(() => 'gone' as const), grace])) === 'late') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Resident set size from /proc, in bytes: what the kernel charges the process, heap or not. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** A helper server of the bench (a floor, the ceiling): a child that prints `<label> listening <origin>` once ready. */
export interface HelperServer {
  origin: string;
  child: NodeChild;
  assertAlive(): void;
  stop(): Promise<void>;
}

export async function startHelperServer(options: { label: string; script: string; env: NodeJS.ProcessEnv; core: number | undefined; cwd: string }): Promise<HelperServer> {
  const child = spawnNode(options);
  try {
    const match = await child.waitForLine(new RegExp(`^${options.label} listening (http://\\S+)`), 30_000);
    return {
      origin: match[1]!,
      child,
      assertAlive() {
        const status = child.exitStatus();
        if (status !== undefined) throw new Error(`${options.label} ended during the run (${status}):\n${child.tail()}`);
      },
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
