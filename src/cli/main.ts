import { parseArgs } from 'node:util';
import { openDatabase } from '../db/orm.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { loadKeyRing } from '../config/keyring.ts';
import { composition } from '../app/composition.ts';
import { createServices } from '../app/services.ts';
import { DomainError } from '../shared/errors.ts';
import { resolveCommand, USAGE, UsageError, type CommandArgs } from './commands.ts';
import { CommandFailed } from './dev-mail.ts';

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
        name: { type: 'string' },
        'redirect-uris': { type: 'string' },
        'post-logout-redirect-uris': { type: 'string' },
        'grant-types': { type: 'string' },
        scopes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Operator commands, on the same services and database configuration as the server; `mail`
 * commands read only files, and `--help` not even the configuration.
 */
async function main(): Promise<void> {
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const args = parse();
  if (args.values.help === true) return print(USAGE);
  const command = resolveCommand(args);
  if (command.needs === 'nothing') return command.run(print);
  const config = loadConfig();
  if (command.needs === 'config') return command.run(config, print);
  // Beside a running server on the embedded database, through that server's socket.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shareEmbedded: true, modules: composition });
  try {
    const keys = await loadKeyRing(config);
    await command.run(createServices(config, database, keys), print, { orm: database.orm, keys });
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
    : error instanceof ConfigError || error instanceof CommandFailed ? error.message
    : `failed: ${(error as Error).message}`;
  process.stderr.write(`janus: ${message}\n`);
  process.exit(1);
});
