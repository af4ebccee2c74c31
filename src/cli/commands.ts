import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config.ts';
import type { Services } from '../app/services.ts';
import type { KeyRing } from '../config/keyring.ts';
import { createSecretBox, keyIdOf } from '../mfa/encryption.ts';
import { reencryptTotpSecrets } from '../mfa/key-rotation.ts';
import { listDevMail, showDevMail } from './dev-mail.ts';
import { newModule } from './new-module.ts';
import { readPassword } from './password-input.ts';

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage:
  npm run janus -- create-admin --email EMAIL --first-name NAME --last-name NAME --phone NUMBER
      (the password is read from standard input, or prompted for on a terminal)
  npm run janus -- roles list
  npm run janus -- roles create NAME --permissions a:b,c:d [--self-assignable]
  npm run janus -- clients list
  npm run janus -- clients create --name NAME --grant-types a,b --scopes a,b [--redirect-uris URI,URI] [--post-logout-redirect-uris URI,URI]
      (prints the client id and its secret, shown this once: docs/oidc.md)
  npm run janus -- clients delete CLIENT_ID
  npm run janus -- users disable --email EMAIL   (ends every session of the user at once)
  npm run janus -- users enable --email EMAIL
  npm run janus -- keys rotate-encryption   (re-encrypts every TOTP secret with JANUS_ENCRYPTION_KEY)
  npm run janus -- mail list       (development mail in JANUS_DATA_DIR/mail: subjects and links)
  npm run janus -- mail show [N]   (mail N of the list, the newest without N)
  npm run janus -- new-module NAME   (writes src/NAMEs/, a resource owned by its creator: docs/extending.md)
  npm run janus -- --help`;

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

type Print = (line: string) => void;

function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

function required(args: CommandArgs, name: string): string {
  const value = stringOption(args, name);
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

/** What a command may need beyond the services: the database itself and the keys (key maintenance). */
export interface CommandRuntime {
  orm: MikroORM;
  keys: KeyRing;
}

/** What a command needs: the services (and so the database), or only the configuration. */
export type Command =
  | { needs: 'services'; run: (services: Services, print: Print, runtime: CommandRuntime) => Promise<void> }
  | { needs: 'config'; run: (config: Config, print: Print) => Promise<void> }
  | { needs: 'nothing'; run: (print: Print) => Promise<void> };

type ServicesCommand = (services: Services, print: Print, runtime: CommandRuntime) => Promise<void>;

// Every account has a name and a phone number, as registration asks: none is made up here.
function createAdmin(args: CommandArgs): ServicesCommand {
  const email = required(args, 'email');
  const firstName = required(args, 'first-name');
  const lastName = required(args, 'last-name');
  const phoneNumber = required(args, 'phone');
  return async (services, print) => {
    const user = await services.accounts.createAccount({
      email,
      password: await readPassword(),
      firstName,
      lastName,
      phoneNumber,
      role: 'admin',
    });
    print(`created admin ${user.email} (id ${user.id})`);
  };
}

const listRoles: ServicesCommand = async (services, print) => {
  for (const role of await services.roles.list()) {
    const assignable = role.selfAssignable ? 'self-assignable' : 'assigned only';
    print(`${role.name}\t${assignable}\t${[...role.permissions].sort().join(',') || '-'}`);
  }
};

function createRole(args: CommandArgs): ServicesCommand {
  const name = args.positionals[2];
  if (!name) throw new UsageError('roles create needs a NAME');
  const permissions = required(args, 'permissions').split(',').filter((permission) => permission.trim() !== '');
  return async (services, print) => {
    const role = await services.roles.create({ name, permissions, selfAssignable: args.values['self-assignable'] === true }, 'operator');
    print(`created role ${role.name} with ${role.permissions.length} permission(s)`);
  };
}

/** A comma-separated list option: `a,b` → ['a', 'b']. */
function listOption(args: CommandArgs, name: string): string[] {
  return (stringOption(args, name) ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
}

const listClients: ServicesCommand = async (services, print) => {
  for (const client of await services.oauthClients.list()) {
    print(`${client.clientId}	${client.name}	${client.grantTypes.join(',')}	${client.scopes.join(',')}	${client.redirectUris.join(',') || '-'}`);
  }
};

function createClient(args: CommandArgs): ServicesCommand {
  const input = {
    name: required(args, 'name'),
    grantTypes: listOption(args, 'grant-types'),
    scopes: listOption(args, 'scopes'),
    redirectUris: listOption(args, 'redirect-uris'),
    postLogoutRedirectUris: listOption(args, 'post-logout-redirect-uris'),
  };
  return async (services, print) => {
    const { clientId, clientSecret } = await services.oauthClients.create(input);
    print(`client_id ${clientId}`);
    print(`client_secret ${clientSecret}   (shown this once: only its digest is stored)`);
  };
}

function deleteClient(args: CommandArgs): ServicesCommand {
  const clientId = args.positionals[2];
  if (!clientId) throw new UsageError('clients delete needs a CLIENT_ID');
  return async (services, print) => {
    await services.oauthClients.remove(clientId);
    print(`deleted client ${clientId}, its grants and tokens`);
  };
}

function setDisabled(args: CommandArgs, disabled: boolean): ServicesCommand {
  const email = required(args, 'email');
  return async (services, print) => {
    const { id } = await services.lifecycle.findByEmail(email);
    const user = disabled ? await services.lifecycle.disable(id) : await services.lifecycle.enable(id);
    print(`${disabled ? 'disabled' : 'enabled'} ${user.email} (id ${user.id})`);
  };
}

function mailNumber(args: CommandArgs): number | undefined {
  const raw = args.positionals[2];
  if (raw === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(raw)) throw new UsageError(`mail show takes a mail number from mail list, got ${raw}`);
  return Number(raw);
}

/**
 * Moves every TOTP secret to the current encryption key, so that the previous ones can leave
 * JANUS_ENCRYPTION_KEYS_PREVIOUS (docs/mfa.md). Fails, naming the users, when a secret is under a
 * key that is no longer configured.
 */
const rotateEncryption: ServicesCommand = async (_services, print, { orm, keys }) => {
  const result = await reencryptTotpSecrets(orm, createSecretBox(keys.encryption));
  print(`re-encrypted ${result.reencrypted} TOTP secret(s) with key ${keyIdOf(keys.encryption.key)}; ${result.current} already used it`);
  if (result.unreadable.length > 0) {
    throw new Error(
      `${result.unreadable.length} TOTP secret(s) decrypt with no configured key (users ${result.unreadable.join(', ')}): ` +
        'add the key they were encrypted with to JANUS_ENCRYPTION_KEYS_PREVIOUS and run this again',
    );
  }
};

/** The command the arguments name, checked before anything opens the database. */
export function resolveCommand(args: CommandArgs): Command {
  const [command, sub] = args.positionals;
  const services = (run: ServicesCommand): Command => ({ needs: 'services', run });
  if (command === 'create-admin') return services(createAdmin(args));
  if (command === 'roles' && sub === 'list') return services(listRoles);
  if (command === 'roles' && sub === 'create') return services(createRole(args));
  if (command === 'clients' && sub === 'list') return services(listClients);
  if (command === 'clients' && sub === 'create') return services(createClient(args));
  if (command === 'clients' && sub === 'delete') return services(deleteClient(args));
  if (command === 'users' && sub === 'disable') return services(setDisabled(args, true));
  if (command === 'users' && sub === 'enable') return services(setDisabled(args, false));
  if (command === 'keys' && sub === 'rotate-encryption') return services(rotateEncryption);
  if (command === 'new-module') return { needs: 'nothing', run: (print) => newModule(sub, print) };
  if (command === 'mail' && sub === 'list') return { needs: 'config', run: listDevMail };
  if (command === 'mail' && sub === 'show') return { needs: 'config', run: showDevMail(mailNumber(args)) };
  throw new UsageError(command ? `unknown command: ${args.positionals.join(' ')}` : 'no command given');
}
