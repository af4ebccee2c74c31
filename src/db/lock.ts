import { readFile, rm, writeFile } from 'node:fs/promises';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The folder is claimed by another process that still runs. */
export class FolderInUseError extends Error {
  readonly what: string;
  readonly owner: number;

  constructor(what: string, owner: number) {
    super(`${what} is in use by process ${owner}: stop it first, or set DATABASE_URL`);
    this.what = what;
    this.owner = owner;
  }
}

/**
 * An exclusive claim on a folder by this process. PGlite keeps one database per folder and two
 * processes opening the same one would corrupt it (e.g. the CLI while the server runs).
 * A lock left by a process that no longer runs is taken over.
 */
export async function lockFolder(lockFile: string, what: string): Promise<() => Promise<void>> {
  try {
    await writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number((await readFile(lockFile, 'utf8')).trim());
    if (owner !== process.pid && isRunning(owner)) throw new FolderInUseError(what, owner);
    await writeFile(lockFile, String(process.pid));
  }
  return () => rm(lockFile, { force: true });
}
