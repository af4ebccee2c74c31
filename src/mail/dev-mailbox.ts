import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where development mail goes without JANUS_SMTP_URL: one .eml file per mail, named by outbox id. */
export function devMailDir(dataDir: string): string {
  return path.join(dataDir, 'mail');
}

/** A development mail as `npm run janus -- mail list/show` prints it. */
export interface DevMail {
  /** 1 for the oldest file, counting up in the order the mails were queued. */
  number: number;
  file: string;
  from: string;
  to: string;
  date: string;
  subject: string;
  /** The plain-text part. */
  text: string;
  /** Every http(s) URL in the plain-text part, in order. */
  links: string[];
}

const ENCODED_WORD = /=\?([^?]+)\?([BQbq])\?([^?]*)\?=/g;
const LINK = /https?:\/\/[^\s<>"]+/g;

function decodeQuotedPrintable(value: string): Buffer {
  const bytes = value.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

/** RFC 2047 encoded words (how nodemailer writes a non-ASCII subject), across folded lines. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(ENCODED_WORD, (_match, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}

/** Headers (lower-case names, folded lines joined) and the body of one MIME entity. */
function splitEntity(source: string): { headers: Map<string, string>; body: string } {
  const end = /\r?\n\r?\n/.exec(source);
  const head = end ? source.slice(0, end.index) : source;
  const body = end ? source.slice(end.index + end[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  const encoding = transferEncoding?.toLowerCase();
  // Files written before Janus wrote development mail as 8-bit text are quoted-printable or base64.
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body).toString('utf8');
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

/** The plain-text part of a (possibly multipart) entity, decoded; empty if it has none. */
function plainText(entity: { headers: Map<string, string>; body: string }): string {
  const type = entity.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of entity.body.split(`--${boundary}`).slice(1)) {
      const text = plainText(splitEntity(part.replace(/^\r?\n/, '')));
      if (text) return text;
    }
    return '';
  }
  return /^text\/plain/i.test(type) ? decodeBody(entity.body, entity.headers.get('content-transfer-encoding')).trimEnd() : '';
}

// Names are zero-padded outbox ids: a longer name is a later id once the padding runs out.
const byQueueOrder = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Reads the development mails in `dir`, oldest first; none when the folder does not exist yet. */
export async function readDevMails(dir: string): Promise<DevMail[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((name) => name.endsWith('.eml')).sort(byQueueOrder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(
    files.map(async (name, index) => {
      const file = path.join(dir, name);
      const entity = splitEntity(await readFile(file, 'utf8'));
      const header = (key: string) => decodeHeader(entity.headers.get(key) ?? '');
      const text = plainText(entity);
      return { number: index + 1, file, from: header('from'), to: header('to'), date: header('date'), subject: header('subject'), text, links: text.match(LINK) ?? [] };
    }),
  );
}
