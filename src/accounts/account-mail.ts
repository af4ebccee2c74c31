import type { EntityManager } from '@mikro-orm/postgresql';
import type { Outbox } from '../mail/outbox.ts';
import { describeDuration, type Mail, type Templates } from '../mail/templates.ts';
import type { NewToken, OneTimeTokens } from '../onetime-tokens/service.ts';
import type { TokenPurpose } from '../onetime-tokens/one-time-token.entity.ts';

/** Who a mail is about. */
export interface Recipient {
  id: string;
  email: string;
  firstName: string;
}

/** The mails accounts send, each queued inside the caller's transaction. */
export interface AccountMail {
  /** Stores a new verification token (replacing older ones) and queues the mail carrying it. */
  verification(em: EntityManager, user: Recipient): Promise<void>;
  /** A reset mail's token and text, made without the database: a request for an unknown email makes one too. */
  prepareReset(user: Recipient): { token: NewToken; mail: Mail };
  /** Stores the prepared token (replacing older ones) and queues its mail. */
  queueReset(em: EntityManager, user: Recipient, prepared: { token: NewToken; mail: Mail }): Promise<void>;
  passwordChanged(em: EntityManager, user: Recipient): void;
  /** Wrong second-factor codes filled their window: the owner learns that someone holds their password. */
  secondFactorLocked(em: EntityManager, user: Recipient, lockedForSeconds: number): void;
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
  templates: Templates;
  tokens: OneTimeTokens;
  appUrl: string;
  ttlSeconds: Readonly<Record<TokenPurpose, number>>;
}): AccountMail {
  const { outbox, templates, tokens, appUrl, ttlSeconds } = deps;

  function tokenMail(purpose: TokenPurpose, user: Recipient) {
    const token = tokens.generate();
    const link = `${appUrl}${LINK_PATHS[purpose]}?token=${encodeURIComponent(token.secret)}`;
    const mail = templates(TEMPLATES[purpose], user.email, {
      firstName: user.firstName,
      email: user.email,
      appUrl,
      link,
      token: token.secret,
      expiresIn: describeDuration(ttlSeconds[purpose]),
    });
    return { token, mail };
  }

  async function queue(em: EntityManager, user: Recipient, purpose: TokenPurpose, prepared: { token: NewToken; mail: Mail }) {
    await tokens.store(em, user.id, purpose, prepared.token);
    outbox.enqueue(em, prepared.mail);
  }

  return {
    verification: (em, user) => queue(em, user, 'verify_email', tokenMail('verify_email', user)),
    prepareReset: (user) => tokenMail('reset_password', user),
    queueReset: (em, user, prepared) => queue(em, user, 'reset_password', prepared),
    passwordChanged(em, user) {
      outbox.enqueue(em, templates('password-changed', user.email, { firstName: user.firstName, email: user.email, appUrl }));
    },
    secondFactorLocked(em, user, lockedForSeconds) {
      const values = { firstName: user.firstName, email: user.email, appUrl, lockedFor: describeDuration(lockedForSeconds) };
      outbox.enqueue(em, templates('second-factor-locked', user.email, values));
    },
    committed: () => outbox.queued(),
  };
}
