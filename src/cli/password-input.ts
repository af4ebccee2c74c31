import { text } from 'node:stream/consumers';

/** Reads one line from a terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let value = '';
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (result: string | Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(value);
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The password comes from a prompt or from standard input, never from an argument: arguments
 * are visible to every user of the machine (ps) and end up in shell history.
 */
export async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) return promptHidden('Password: ');
  return firstLine(await text(process.stdin));
}

/**
 * The password in piped input: its first line, as a prompt would take it. `printf 'pw\npw\n'`
 * (a password and its confirmation) gives `pw`, never a password with a newline inside that no
 * login form can type. Any other control character stays, for the password rule to refuse.
 */
export function firstLine(input: string): string {
  return input.split(/\r?\n/, 1)[0] ?? '';
}
