import type { Logger } from 'pino';
import type { OutgoingMail, Outbox } from './outbox.ts';
import type { MailTransport } from './transport.ts';

export interface SenderOptions {
  outbox: Outbox;
  transport: MailTransport;
  logger: Logger;
  /** Counts each attempt's outcome. */
  observe?: (outcome: 'delivered' | 'failed') => void;
  /** How often the outbox is looked at for mail queued elsewhere or due again. */
  pollMs?: number;
  /** How long a claim holds a row without renewal; tests shorten it. */
  leaseMs?: number;
}

export interface MailSender {
  /** Stops polling and waits for the attempt under way. */
  stop(): Promise<void>;
}

/**
 * How long a row stays this sender's without news: it is renewed three times per lease while its
 * SMTP exchange lasts, so only a sender that died loses its rows (they are taken up again after it).
 */
const LEASE_MS = 120_000;
const RENEWALS_PER_LEASE = 3;
export const MAX_ATTEMPTS = 16;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 15 * 60_000;

/** Exponential backoff: 1 s after the first failure, doubling up to 15 min (16 attempts span about 2 hours). */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LONGEST_RETRY_MS);
}

/**
 * Delivers what the outbox holds: claims one due row at a time (never one another sender holds),
 * keeps its lease while handing it to the transport, and marks it sent or schedules its next
 * attempt — only while the claim is still its own. Runs one pass at a time.
 */
export function startMailSender(options: SenderOptions): MailSender {
  const { outbox, transport, logger, observe } = options;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  /** Hands `mail` to the transport, renewing the lease meanwhile; resolves to the error, if any. */
  async function send(mail: OutgoingMail): Promise<string | undefined> {
    const renewal = setInterval(() => {
      outbox.renew(mail, leaseMs).catch((error: unknown) => logger.warn({ err: error, mailId: mail.id }, 'renewing a mail lease failed'));
    }, leaseMs / RENEWALS_PER_LEASE);
    try {
      await transport.send(mail);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      clearInterval(renewal);
    }
  }

  async function attempt(mail: OutgoingMail): Promise<void> {
    const error = await send(mail);
    if (error === undefined) {
      observe?.('delivered');
      // The id, not the recipient or the body: the log never holds a token.
      if (!(await outbox.markSent(mail))) logger.warn({ mailId: mail.id }, 'mail delivered after its lease was lost');
      return;
    }
    const retryAt = mail.attempt < MAX_ATTEMPTS ? new Date(Date.now() + retryDelayMs(mail.attempt)) : null;
    observe?.('failed');
    logger.warn({ mailId: mail.id, attempt: mail.attempt, error, retryAt }, retryAt ? 'mail delivery failed; will retry' : 'mail delivery failed; giving up');
    await outbox.markFailed(mail, error, retryAt);
  }

  async function deliver(): Promise<void> {
    while (!stopped) {
      const mail = await outbox.claim(leaseMs);
      if (!mail) return;
      await attempt(mail);
    }
  }

  function pass(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = deliver()
      .catch((error: unknown) => logger.warn({ err: error }, 'reading the mail outbox failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          pass();
        }
      });
  }

  const timer = setInterval(pass, options.pollMs ?? 1_000);
  timer.unref();
  outbox.onQueued(pass);
  pass();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
    },
  };
}
