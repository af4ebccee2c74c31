import type { EntityManager } from '@mikro-orm/postgresql';
import type { Outbox } from '../mail/outbox.ts';
import type { MailThrottle } from '../mail/throttle.ts';
import { describeDuration, type Mail, type Templates } from '../mail/templates.ts';
import type { NewToken, OneTimeTokens } from '../onetime-tokens/service.ts';
import type { TokenPurpose } from '../onetime-tokens/one-time-token.entity.ts';

/** Who a mail is about. */
export interface Recipient {
  id: string;
  email: string;
  firstName: string;
}

/** A reset mail made before it is known whether it goes anywhere. */
export interface PreparedReset {
  token: NewToken;
  mail: Mail;
}

/**
 * The mails accounts send, each queued inside the caller's transaction. The ones anyone can
 * cause (verification, reset, registration attempt) pass the mail throttle first: a throttled
 * request changes nothing, so the link mailed last keeps working.
 */
export interface AccountMail {
  /**
   * Stores a new verification token (replacing older ones) and queues the mail carrying it;
   * false when throttled.
   */
  verification(em: EntityManager, user: Recipient): Promise<boolean>;
  /** A reset mail's token and text, made without the database: a request for an unknown email makes one too. */
  prepareReset(user: Recipient): PreparedReset;
  /**
   * Unless throttled, stores the prepared token (replacing older ones) and queues its mail. For
   * an address without an account `user` is a decoy whose id matches no user: the same
   * statements run (the throttle's too) and store nothing (docs/enumeration.md).
   */
  queueReset(em: EntityManager, user: Recipient, prepared: PreparedReset): Promise<void>;
  passwordChanged(em: EntityManager, user: Recipient): void;
  /** Wrong second-factor codes filled their window: the owner learns that someone holds their password. */
  secondFactorLocked(em: EntityManager, user: Recipient, lockedForSeconds: number): void;
  /** Tells the owner of an address that someone tried to register it again (throttled). */
  registrationAttempt(em: EntityManager, owner: Recipient): Promise<void>;
  /** Erasure: what the throttle kept of the address goes. */
  forget(em: EntityManager, address: string): Promise<void>;
  /** Wakes the sender once the transaction that queued mail has committed. */
  committed(): void;
}

const LINK_PATHS: Readonly<Record<TokenPurpose, string>> = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
};

const TEMPLATES: Readonly<Record<TokenPurpose, 'verify-email' | 'reset-password'>> = {
  verify_email: 'verify-email',
  reset_password: 'reset-password',
};

export function createAccountMail(deps: {
  outbox: Outbox;
  throttle: MailThrottle;
  templates: Templates;
  tokens: OneTimeTokens;
  appUrl: string;
}): AccountMail {
  const { outbox, throttle, templates, tokens, appUrl } = deps;

  function tokenMail(purpose: TokenPurpose, user: Recipient) {
    const token = tokens.generate();
    const link = `${appUrl}${LINK_PATHS[purpose]}?token=${encodeURIComponent(token.secret)}`;
    const mail = templates(TEMPLATES[purpose], user.email, {
      firstName: user.firstName,
      email: user.email,
      appUrl,
      link,
      token: token.secret,
      expiresIn: describeDuration(tokens.ttlSeconds[purpose]),
    });
    return { token, mail };
  }

  /** One statement each for the token and the mail, which write nothing for a decoy's id. */
  async function queue(em: EntityManager, user: Recipient, purpose: TokenPurpose, prepared: PreparedReset) {
    await tokens.store(em, user.id, purpose, prepared.token);
    await outbox.enqueueForUser(em, prepared.mail, user.id);
  }

  const notice = (name: 'password-changed' | 'registration-attempt', user: Recipient): Mail =>
    templates(name, user.email, { firstName: user.firstName, email: user.email, appUrl });

  return {
    async verification(em, user) {
      if (!(await throttle.admit(em, user.email, 'verify-email'))) return false;
      await queue(em, user, 'verify_email', tokenMail('verify_email', user));
      return true;
    },
    secondFactorLocked(em, user, lockedForSeconds) {
      const values = { firstName: user.firstName, email: user.email, appUrl, lockedFor: describeDuration(lockedForSeconds) };
      outbox.enqueue(em, templates('second-factor-locked', user.email, values), user.id);
    },
    prepareReset: (user) => tokenMail('reset_password', user),
    async queueReset(em, user, prepared) {
      if (await throttle.admit(em, user.email, 'reset-password')) await queue(em, user, 'reset_password', prepared);
    },
    passwordChanged(em, user) {
      outbox.enqueue(em, notice('password-changed', user), user.id);
    },
    async registrationAttempt(em, owner) {
      if (await throttle.admit(em, owner.email, 'registration-attempt')) outbox.enqueue(em, notice('registration-attempt', owner), owner.id);
    },
    forget: (em, address) => throttle.forget(em, address),
    committed: () => outbox.queued(),
  };
}
