import type { MikroORM } from '@mikro-orm/postgresql';
import { ServiceUnavailableError, type DomainError } from '../shared/errors.ts';
import { jsonReply, type Endpoint, type Reply } from '../shared/reply.ts';

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
export function readyEndpoint(orm: MikroORM, renderError: (error: DomainError) => Reply): Endpoint {
  return () =>
    checkReadiness(orm).then(
      () => jsonReply(200, { status: 'ready' }),
      (error: unknown) => renderError(new ServiceUnavailableError(`Not ready: ${(error as Error).message}`)),
    );
}
