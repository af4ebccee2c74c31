import type { Plugin } from 'graphql-yoga';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ServiceUnavailableError, type DomainError } from '../shared/errors.ts';

export const READY_PATH = '/ready';
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Ready means: the database answers, and no migration is pending. */
export async function checkReadiness(orm: MikroORM): Promise<void> {
  await withTimeout(orm.em.getConnection().execute('select 1'), CHECK_TIMEOUT_MS);
  const pending = await withTimeout(orm.migrator.getPending(), CHECK_TIMEOUT_MS);
  if (pending.length > 0) throw new Error(`${pending.length} migration(s) pending`);
}

/** `GET /ready`: 200 when this instance can serve, 503 (for a load balancer to skip it) when not. */
export function useReadiness(orm: MikroORM, respond: (errors: DomainError[]) => Response): Plugin {
  return {
    // Not async: a promise returned for every request would make each later request hook wait on it.
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== READY_PATH) return;
      return checkReadiness(orm).then(
        () => endResponse(fetchAPI.Response.json({ status: 'ready' })),
        (error: unknown) => endResponse(respond([new ServiceUnavailableError(`Not ready: ${(error as Error).message}`)])),
      );
    },
  };
}
