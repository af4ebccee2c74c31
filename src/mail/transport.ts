import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from './outbox.ts';

/** Where the sender hands mail over. */
export interface MailTransport {
  /** Resolves once the mail is accepted; rejects when it must be tried again. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A server that does not answer within these is down for this attempt: the row is tried again later. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

function messageOf(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // The same id on every attempt: a receiving server that already took it can tell.
    messageId: `<outbox-${mail.id}@janus>`,
  };
}

/**
 * SMTP as nodemailer speaks it: `smtps://` is TLS from the start; on `smtp://`, STARTTLS is used
 * whenever the server offers it (with its certificate checked).
 */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  return {
    async send(mail) {
      await transporter.sendMail(messageOf(mail, from));
    },
    close: () => transporter.close(),
  };
}

/**
 * A text part as 8-bit UTF-8, written as is. Nodemailer writes text parts quoted-printable, whose
 * soft line breaks (`=` at line ends) and escapes (`token=3D…`) cut a link and its token apart for
 * whoever reads the file with `cat`. Only for files: SMTP keeps nodemailer's encodings.
 */
function eightBitPart(contentType: string, content: string) {
  return { raw: `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${content}` };
}

/**
 * For development without SMTP: each mail becomes an .eml file in `dir` (readable by its owner
 * only: it holds a live token), which any mail client opens and `cat` shows with links intact
 * (`npm run janus -- mail list` lists them).
 */
export function fileTransport(dir: string, from: string, written: (file: string) => void): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const { text, html, ...headers } = messageOf(mail, from);
      const info = await transporter.sendMail({
        ...headers,
        alternatives: [eightBitPart('text/plain', text), eightBitPart('text/html', html)],
      });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${String(mail.id).padStart(8, '0')}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      written(file);
    },
    close: () => transporter.close(),
  };
}
