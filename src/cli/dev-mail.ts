import type { Config } from '../config/config.ts';
import { devMailDir, readDevMails, type DevMail } from '../mail/dev-mailbox.ts';

type Print = (line: string) => void;

/** A command that cannot be carried out as asked (e.g. no such mail): its message, exit code 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

async function mailsOf(config: Config, print: Print): Promise<DevMail[]> {
  const dir = devMailDir(config.dataDir);
  const mails = await readDevMails(dir);
  if (mails.length === 0) {
    print(`no development mail in ${dir}${config.mail.smtpUrl ? ' (JANUS_SMTP_URL is set: mail goes to that server)' : ''}`);
  }
  return mails;
}

/** `mail list`: each development mail's number, recipient and subject, then its links. */
export async function listDevMail(config: Config, print: Print): Promise<void> {
  for (const mail of await mailsOf(config, print)) {
    print(`${mail.number}\t${mail.to}\t${mail.subject}`);
    for (const link of mail.links) print(`\t${link}`);
  }
}

/** `mail show [N]`: one development mail's headers and plain text; the newest without N. */
export function showDevMail(number: number | undefined): (config: Config, print: Print) => Promise<void> {
  return async (config, print) => {
    const mails = await mailsOf(config, print);
    if (mails.length === 0) return;
    const mail = number === undefined ? mails.at(-1)! : mails[number - 1];
    if (!mail) throw new CommandFailed(`no mail number ${number}: there are ${mails.length} (see mail list)`);
    print(`Mail ${mail.number} of ${mails.length}: ${mail.file}`);
    print(`From: ${mail.from}`);
    print(`To: ${mail.to}`);
    print(`Date: ${mail.date}`);
    print(`Subject: ${mail.subject}`);
    print('');
    print(mail.text);
  };
}
