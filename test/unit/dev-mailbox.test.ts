import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDevMails } from '../../src/mail/dev-mailbox.ts';
import type { OutgoingMail } from '../../src/mail/outbox.ts';
import { fileTransport } from '../../src/mail/transport.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'janus-dev-mail-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const TOKEN = 'aB3-_x'.repeat(7);
const LINK = `http://localhost:3000/reset-password?token=${TOKEN}`;

it('reads back what the file transport wrote: a non-ASCII subject decoded, the link and the code whole, in queue order', async () => {
  const transport = fileTransport(dir, 'Janus <janus@localhost>', () => undefined);
  const mail = (id: number, subject: string) =>
    ({ id, to: 'zoë@example.com', subject, text: `Hallo Zoë,\n\n${LINK}\n\nCode:\n\n${TOKEN}\n`, html: `<p><a href="${LINK}">Zurücksetzen</a></p>` }) as unknown as OutgoingMail;
  // Id 100000000 outgrows the padding: it still comes after id 9.
  await transport.send(mail(100_000_000, 'Später'));
  await transport.send(mail(9, 'Setze dein Passwort zurück – ein sehr langer Betreff, der über mehrere Zeilen gefaltet wird'));
  transport.close();

  const mails = await readDevMails(dir);
  expect(mails.map((m) => [m.number, path.basename(m.file), m.subject])).toEqual([
    [1, '00000009.eml', 'Setze dein Passwort zurück – ein sehr langer Betreff, der über mehrere Zeilen gefaltet wird'],
    [2, '100000000.eml', 'Später'],
  ]);
  expect(mails[0]).toMatchObject({ to: 'zoë@example.com', from: 'Janus <janus@localhost>', links: [LINK] });
  expect(mails[0]!.text).toBe(`Hallo Zoë,\n\n${LINK}\n\nCode:\n\n${TOKEN}`);
});

it('decodes a quoted-printable mail written before development mail was 8-bit text', async () => {
  const old = path.join(dir, 'old');
  await mkdir(old);
  await writeFile(
    path.join(old, '00000001.eml'),
    [
      'To: ada@example.com',
      'Subject: =?UTF-8?Q?Confirm_your_email_address?=',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      // `=` escaped, and the token cut by a soft line break: what `cat` showed.
      `http://localhost:3000/verify-email?token=3D${TOKEN.slice(0, 20)}=`,
      TOKEN.slice(20),
      '--b1--',
      '',
    ].join('\n'),
  );
  const [mail] = await readDevMails(old);
  expect(mail).toMatchObject({ subject: 'Confirm your email address', links: [`http://localhost:3000/verify-email?token=${TOKEN}`] });
});
