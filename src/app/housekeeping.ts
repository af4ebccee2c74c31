import type { MikroORM } from '@mikro-orm/postgresql';
import { purgeOldAuditEvents } from '../audit/retention.ts';
import { purgeSentMail } from '../mail/purge.ts';
import { purgeExpiredChallenges } from '../mfa/purge.ts';
import { purgeExpiredOneTimeTokens } from '../onetime-tokens/purge.ts';
import { purgeExpiredOidcModels } from '../oidc/adapter.ts';
import { purgeExpiredPasskeyChallenges } from '../passkeys/purge.ts';
import { purgeExpiredSignIns } from '../sign-in/purge.ts';
import type { TokenService } from '../tokens/service.ts';
import type { Logger } from './logger.ts';

export const HOUSEKEEPING_INTERVAL_MS = 15 * 60 * 1000;

/** Rows each purge deleted in one round. */
export interface HousekeepingCounts {
  refreshTokens: number;
  sessions: number;
  oneTimeTokens: number;
  mfaChallenges: number;
  passkeyChallenges: number;
  /** Sign-ins at identity providers started and never completed. */
  signInStates: number;
  sentMail: number;
  /** The OpenID Provider's expired codes, tokens, grants, sessions and interactions. */
  oidcModels: number;
  /** Undefined while audit events are kept forever (JANUS_AUDIT_RETENTION_DAYS unset). */
  auditEvents: number | undefined;
}

export interface HousekeepingDeps {
  orm: MikroORM;
  tokens: Pick<TokenService, 'purgeExpired'>;
  auditRetentionDays: number | undefined;
}

/**
 * One round: each domain's purge, one after the other, each in its own short statement or
 * transaction, never inside a request's (a login would otherwise pay for everyone's leftovers).
 */
export async function runHousekeeping(deps: HousekeepingDeps, now = new Date()): Promise<HousekeepingCounts> {
  const em = () => deps.orm.em.fork();
  const { refreshTokens, sessions } = await deps.tokens.purgeExpired(now);
  const oneTimeTokens = await purgeExpiredOneTimeTokens(em(), now);
  const mfaChallenges = await purgeExpiredChallenges(em(), now);
  const passkeyChallenges = await purgeExpiredPasskeyChallenges(em(), now);
  const signInStates = await purgeExpiredSignIns(em(), now);
  const sentMail = await purgeSentMail(em(), now);
  const oidcModels = await purgeExpiredOidcModels(deps.orm, now);
  const auditEvents = deps.auditRetentionDays === undefined ? undefined : await purgeOldAuditEvents(em(), deps.auditRetentionDays, now);
  return { refreshTokens, sessions, oneTimeTokens, mfaChallenges, passkeyChallenges, signInStates, sentMail, oidcModels, auditEvents };
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
