import type { Logger } from 'pino';
import type { Outbox } from './outbox.ts';
import type { MailTransport } from './transport.ts';

export interface SenderOptions {
  outbox: Outbox;
  transport: MailTransport;
  logger: Logger;
  /** Counts each attempt's outcome. */
  observe?: (outcome: 'delivered' | 'failed') => void;
  /** How often the outbox is looked at for mail queued elsewhere or due again. */
  pollMs?: number;
}

export interface MailSender {
  /** Looks at the outbox now (after a commit queued mail). */
  wake(): void;
  /** Stops polling and waits for the attempts under way. */
  stop(): Promise<void>;
}

const BATCH = 10;
/** Longer than any SMTP attempt may take (transport.ts): a row whose sender died is taken up again after it. */
const LEASE_SECONDS = 120;
export const MAX_ATTEMPTS = 16;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 15 * 60_000;

/** Exponential backoff: 1 s after the first failure, doubling up to 15 min (16 attempts span about 2 hours). */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LONGEST_RETRY_MS);
}

/**
 * Delivers what the outbox holds: claims due rows (never the same as another sender), hands each
 * to the transport, and marks it sent or schedules its next attempt. Runs one pass at a time.
 */
export function startMailSender(options: SenderOptions): MailSender {
  const { outbox, transport, logger, observe } = options;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  async function deliver(): Promise<void> {
    for (;;) {
      const batch = await outbox.claim(BATCH, LEASE_SECONDS);
      for (const mail of batch) {
        try {
          await transport.send(mail);
          await outbox.markSent(mail.id);
          observe?.('delivered');
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const retryAt = mail.attempt < MAX_ATTEMPTS ? new Date(Date.now() + retryDelayMs(mail.attempt)) : null;
          observe?.('failed');
          // The id, not the recipient or the body: the log never holds a token.
          logger.warn({ mailId: mail.id, attempt: mail.attempt, error: message, retryAt }, retryAt ? 'mail delivery failed; will retry' : 'mail delivery failed; giving up');
          await outbox.markFailed(mail.id, message, retryAt);
        }
      }
      if (batch.length < BATCH || stopped) return;
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
    wake: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
    },
  };
}
