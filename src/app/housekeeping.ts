import type { MikroORM } from '@mikro-orm/postgresql';
import { purgeOldAuditEvents } from '../audit/retention.ts';
import type { TokenService } from '../tokens/service.ts';
import { composition } from './composition.ts';
import type { Logger } from './logger.ts';

export const HOUSEKEEPING_INTERVAL_MS = 15 * 60 * 1000;

/** Rows each purge deleted in one round: the tokens service's, the audit trail's, and each module purge's by its name. */
export interface HousekeepingCounts {
  refreshTokens: number;
  sessions: number;
  /** Undefined while audit events are kept forever (JANUS_AUDIT_RETENTION_DAYS unset). */
  auditEvents: number | undefined;
  /** The modules' purges (src/modules/module.ts `purges`): oneTimeTokens, mfaChallenges, sentMail, … */
  [purge: string]: number | undefined;
}

export interface HousekeepingDeps {
  orm: MikroORM;
  tokens: Pick<TokenService, 'purgeExpired'>;
  auditRetentionDays: number | undefined;
}

/**
 * One round: each purge, one after the other, each in its own short statement or transaction,
 * never inside a request's (a login would otherwise pay for everyone's leftovers).
 */
export async function runHousekeeping(deps: HousekeepingDeps, now = new Date()): Promise<HousekeepingCounts> {
  const em = () => deps.orm.em.fork();
  const { refreshTokens, sessions } = await deps.tokens.purgeExpired(now);
  const counts: HousekeepingCounts = { refreshTokens, sessions, auditEvents: undefined };
  for (const [name, purge] of composition.purges) counts[name] = await purge(em(), now);
  if (deps.auditRetentionDays !== undefined) counts.auditEvents = await purgeOldAuditEvents(em(), deps.auditRetentionDays, now);
  return counts;
}

/**
 * Runs a round at start and then every HOUSEKEEPING_INTERVAL_MS, so that the tables stay bounded,
 * and logs one line per round with what it deleted. Stopping waits for a round under way: closing
 * the database under its open transaction hangs.
 */
export function scheduleHousekeeping(deps: HousekeepingDeps, logger: Logger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const round = (): void => {
    running = runHousekeeping(deps).then(
      (deleted) => logger.info({ deleted }, 'housekeeping: purged expired rows'),
      (error: unknown) => logger.warn({ err: error }, 'housekeeping failed'),
    );
  };
  round();
  const timer = setInterval(round, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    return running;
  };
}
