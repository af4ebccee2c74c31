import { parseArgs } from 'node:util';
import { openDatabase } from '../db/orm.ts';
import { ConfigError, loadConfig } from '../app/config.ts';
import { loadKeyRing } from '../app/keyring.ts';
import { createServices } from '../app/services.ts';
import { DomainError } from '../shared/errors.ts';
import { resolveCommand, USAGE, UsageError, type CommandArgs } from './commands.ts';

function parse(): CommandArgs {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        phone: { type: 'string' },
        permissions: { type: 'string' },
        'self-assignable': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Operator commands, on the same services and database configuration as the server. */
async function main(): Promise<void> {
  const command = resolveCommand(parse());
  const config = loadConfig();
  // Beside a running server on the embedded database, through that server's socket.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shareEmbedded: true });
  try {
    const keys = await loadKeyRing(config);
    await command(createServices(config, database, keys), (line) => process.stdout.write(`${line}\n`), { orm: database.orm, keys });
  } finally {
    await database.close();
  }
}

let finished = false;
// A command whose database connection vanished mid-way (e.g. the server it joined stopped) can
// leave nothing to wait for: fail with a message instead of exiting 0 in silence.
process.once('beforeExit', () => {
  if (finished) return;
  process.stderr.write('janus: failed: the database connection ended before the command finished\n');
  process.exitCode = 1;
});

main().then(() => {
  finished = true;
}, (error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`janus: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const message =
    error instanceof DomainError ? `${error.message} (${error.code})`
    : error instanceof ConfigError ? error.message
    : `failed: ${(error as Error).message}`;
  process.stderr.write(`janus: ${message}\n`);
  process.exit(1);
});
