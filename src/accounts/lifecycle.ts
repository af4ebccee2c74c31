import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import type { AccountMail } from './account-mail.ts';
import { MfaChallenge } from '../mfa/entities.ts';
import { auditingRoleRefusals, lockRoleAdmins, refuseLastRoleAdmin } from '../roles/service.ts';
import type { AuditEventName } from '../audit/audit-event.entity.ts';
import { ReauthenticationRequiredError, UnauthenticatedError } from '../auth/errors.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { TokenService } from '../tokens/service.ts';
import { InvalidCredentialsError } from './errors.ts';
import { isPasswordOf, type PasswordHasher } from './passwords.ts';
import { findUser, findUserForUpdate } from './queries.ts';
import { User } from './user.entity.ts';
import { tryNormalizeEmail } from './validation.ts';

/** What an operator can do to an account, and the user's own deletion of theirs. */
export interface AccountLifecycle {
  /**
   * Locks the account: no login, refresh or access token works until it is enabled again, every
   * session ends at once, and logins waiting for their second factor are dropped.
   */
  disable(userId: string): Promise<User>;
  /** Lets the user log in again (their sessions stay ended). */
  enable(userId: string): Promise<User>;
  /** Erases the user with everything that held their data; the audit trail keeps only the id. */
  remove(userId: string): Promise<void>;
  /**
   * The user's own erasure, confirmed with their password (INVALID_CREDENTIALS when wrong or
   * missing). An account without a password confirms with a recent login instead: `authTime`
   * (the access token's `auth_time`) at most `reauthMaxAgeSeconds` old, else REAUTHENTICATION_REQUIRED.
   */
  removeOwn(userId: string, password: string | null | undefined, authTime: number): Promise<void>;
  /** For operators who know an account by its email (the CLI). */
  findByEmail(email: string): Promise<User>;
}

const noSuchUser = () => new NotFoundError('No user with this id');

export function createAccountLifecycle(deps: {
  orm: MikroORM;
  passwords: PasswordHasher;
  tokens: Pick<TokenService, 'revokeEverything' | 'invalidate'>;
  audit: Pick<AuditLog, 'record' | 'recordAlone' | 'forget'>;
  mail: Pick<AccountMail, 'forget'>;
  /** What the modules do with a user's rows (delete or anonymise), in the transaction that deletes the user. */
  eraseOwned: (em: EntityManager, userId: string) => Promise<void>;
  /** How recent a login confirms a password-less account's own erasure (JANUS_REAUTH_MAX_AGE). */
  reauthMaxAgeSeconds: number;
}): AccountLifecycle {
  const { orm, passwords, tokens, audit, mail, reauthMaxAgeSeconds } = deps;

  /**
   * Runs `change` on the locked user row, in one transaction with its audit event. With
   * `takesRoleAdmin` (the change would take roles:write from a holder) it is refused
   * (LAST_ROLE_ADMIN) for the last holder, and that refusal is audited on its own, as the change
   * rolled back.
   */
  function withUser<T>(
    userId: string,
    event: AuditEventName,
    change: (em: EntityManager, user: User) => Promise<T>,
    options: { takesRoleAdmin?: boolean } = {},
  ): Promise<T> {
    return auditingRoleRefusals(audit, userId, () => orm.em.fork().transactional(async (em) => {
      // Before the user's row: the holders are locked in one order everywhere (lockRoleAdmins).
      if (options.takesRoleAdmin) refuseLastRoleAdmin(await lockRoleAdmins(em), userId);
      const user = await findUserForUpdate(em, userId);
      if (!user) throw noSuchUser();
      // Recorded first, so that a change may still act on its own event (erasure does).
      audit.record(em, event, user.id);
      const result = await change(em, user);
      // The cached principal lookup (embedded database) must see the change on the next request.
      tokens.invalidate(user.id);
      return result;
    }));
  }

  // Sessions, refresh and one-time tokens, MFA rows and the user's mail (queued, sent or
  // abandoned: no address left, nothing more sent) go with the row (ON DELETE CASCADE). The mail
  // throttle knows the address only hashed, and forgets it. Audit events have no foreign key: they
  // keep the id as a tombstone, lose IP and user agent, and never held an email or a name
  // (docs/sessions-and-accounts.md, erasure). Nobody could manage roles any more without the last
  // holder of roles:write (takesRoleAdmin). Modules' rows go first, as each module says
  // (src/modules/module.ts onUserErased).
  const erase = async (em: EntityManager, user: User) => {
    await deps.eraseOwned(em, user.id);
    await mail.forget(em, user.email);
    await audit.forget(em, user.id);
    return em.nativeDelete(User, { id: user.id });
  };

  return {
    disable: (userId) =>
      withUser(userId, 'user.disable', async (em, user) => {
        user.disabled = true;
        await tokens.revokeEverything(em, user);
        await em.nativeDelete(MfaChallenge, { user: user.id });
        return user;
      }, { takesRoleAdmin: true }),

    enable: (userId) =>
      withUser(userId, 'user.enable', async (_em, user) => {
        user.disabled = false;
        return user;
      }),

    async remove(userId) {
      await withUser(userId, 'user.delete', erase, { takesRoleAdmin: true });
    },

    async removeOwn(userId, password, authTime) {
      const user = await findUser(orm.em.fork(), userId);
      if (!user) throw new UnauthenticatedError();
      if (!user.passwordHash) {
        // Nothing to type: the login itself must be recent, as @requiresRecentLogin asks elsewhere.
        if (authTime < Math.floor(Date.now() / 1000) - reauthMaxAgeSeconds) throw new ReauthenticationRequiredError(reauthMaxAgeSeconds);
      } else if (!(await isPasswordOf(passwords, password ?? '', user.passwordHash))) {
        // Checked before the transaction opens: a bcrypt round inside it would hold the row lock.
        await audit.recordAlone('password.failure', user.id);
        throw new InvalidCredentialsError();
      }
      await withUser(userId, 'user.delete', erase, { takesRoleAdmin: true });
    },

    async findByEmail(email) {
      const normalized = tryNormalizeEmail(email);
      const user = normalized ? await orm.em.fork().findOne(User, { email: normalized }, { populate: ['role'] }) : null;
      if (!user) throw new NotFoundError('No user with this email');
      return user;
    },
  };
}
