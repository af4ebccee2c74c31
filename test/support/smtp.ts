import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'janus';
export const SMTP_PASSWORD = 'smtp-test-password';

/** A mail as the test SMTP server received it. */
export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtp {
  /** smtp://user:password@127.0.0.1:port, as JANUS_SMTP_URL. */
  url: string;
  port: number;
  received: ReceivedMail[];
  /** The first mail (received so far or later) to `to` whose subject matches, after `after` mails to it. */
  nextMail(to: string, subject?: RegExp, options?: { after?: number; timeoutMs?: number }): Promise<ReceivedMail>;
  mailsTo(to: string): ReceivedMail[];
  /** Stops listening (connections are refused), keeping what was received. */
  stop(): Promise<void>;
  /** Listens again on the same port (nothing when it listens already). */
  start(): Promise<void>;
}

function addressOf(mail: ParsedMail): string {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address?.toLowerCase() ?? '';
}

/**
 * A real SMTP server (smtp-server) on a free port of 127.0.0.1 that requires the credentials
 * above and parses each mail it accepts (mailparser). STARTTLS is not offered: its certificate
 * would be self-signed, which nodemailer rightly refuses. With `delayMs` it answers each mail's
 * data that much later.
 */
export async function startTestSmtp(options: { delayMs?: number } = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const create = () =>
    new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      closeTimeout: 500,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          // `delayMs`: a slow server, which accepts each mail only that long after its data.
          async (parsed) => {
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            received.push({
              to: addressOf(parsed),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId,
              parsed,
            });
            for (const wake of waiters) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });

  let server = create();
  let listening = false;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  listening = true;
  const mailsTo = (to: string) => received.filter((mail) => mail.to === to.toLowerCase());

  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    port,
    received,
    mailsTo,
    nextMail(to, subject, { after = 0, timeoutMs = 20_000 } = {}) {
      const find = () => mailsTo(to).filter((mail) => !subject || subject.test(mail.subject))[after];
      return new Promise((resolve, reject) => {
        const check = () => {
          const mail = find();
          if (!mail) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail to ${to}${subject ? ` matching ${subject}` : ''} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      if (!listening) return Promise.resolve();
      listening = false;
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      if (listening) return;
      server = create();
      await listen(port);
      listening = true;
    },
  };
}

/** The token a Janus mail carries on a line of its own, checked against the link beside it. */
export function tokenOf(mail: ReceivedMail, linkPath: '/verify-email' | '/reset-password'): string {
  const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
  if (!token) throw new Error(`no token line in: ${mail.text}`);
  if (!mail.text.includes(`${linkPath}?token=${token}`)) throw new Error(`no ${linkPath} link with the token in: ${mail.text}`);
  return token;
}
