import type { KeyRing } from '../config/keyring.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/orm.ts';
import type { Services } from '../graphql/context.ts';
import { composition } from './composition.ts';

export type { Services };

/**
 * Every module's services (Janus's own and the others' alike), each built by the factory its
 * module provides (src/modules/module.ts): what resolvers, the CLI and the server use.
 */
export function createServices(
  config: Config,
  database: Pick<Database, 'orm' | 'outsideClients' | 'statements'>,
  keys: KeyRing,
  observeHashing?: (seconds: number) => void,
): Services {
  return composition.services({ config, database, keys, observeHashing });
}
