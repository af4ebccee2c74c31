import { readdir, readFile } from 'node:fs/promises';

/** Name and nice value of each thread of a process (Linux, from /proc). */
async function threadsOf(pid: number | 'self'): Promise<{ name: string; nice: number }[]> {
  const tasks = await readdir(`/proc/${pid}/task`);
  return Promise.all(
    tasks.map(async (task) => {
      const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8');
      // Fields after "pid (comm) ": state is field 3, nice field 19.
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      return { name: (await readFile(`/proc/${pid}/task/${task}/comm`, 'utf8')).trim(), nice: Number(fields[16]) };
    }),
  );
}

/** The nice values of libuv's pool threads, and of the main thread. */
export async function poolAndMainNice(pid: number | 'self'): Promise<{ pool: number[]; main: number | undefined }> {
  const threads = await threadsOf(pid);
  return {
    pool: threads.filter((thread) => thread.name === 'libuv-worker').map((thread) => thread.nice),
    main: threads.find((thread) => thread.name === 'MainThread')?.nice,
  };
}
