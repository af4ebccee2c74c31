import type { AnyEntity, EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import type { Config } from '../config/config.ts';
import type { KeyRing } from '../config/keyring.ts';
import type { Database } from '../db/orm.ts';
import type { Services } from '../graphql/context.ts';

/**
 * Building blocks the services share that resolvers must not reach (password hashing, the
 * access-token signer, …): provided and read like services, but absent from `context.services`.
 * A module declares its own with `declare module '../modules/module.ts' { interface Internals { … } }`.
 */
// Empty until a module augments it.
export interface Internals {}

/** Everything a service factory may read: the services resolvers see and the internals. */
export type Registry = Services & Internals;

/** What a module's service factories are built from. */
export interface ModuleDeps {
  config: Config;
  database: Pick<Database, 'orm' | 'statements' | 'outsideClients'>;
  keys: KeyRing;
  /**
   * Every other service, built on first read by the factory that provides it (once); a cycle or
   * a key no module provides fails the start. Read what you need when building, not per call.
   */
  services: Registry;
  /** Every permission the composed modules declare (sorted): the OpenID Provider's scopes among them. */
  permissions: readonly string[];
  /** Runs every module's `onUserErased`, in the transaction that deletes the user. */
  eraseUser(em: EntityManager, userId: string): Promise<void>;
  /** The ways the user can sign in, every module's `signInMethods` summed, in `em`'s transaction. */
  signInMethods(em: EntityManager, userId: string): Promise<number>;
  /** Reports each password hash's duration (the server's metrics). */
  observeHashing?: (seconds: number) => void;
}

/** One factory per service key: a service may depend on services of any module, in any order. */
export type ServiceFactories = { [K in keyof Registry]?: (deps: ModuleDeps) => Registry[K] };

/**
 * One feature of the API, in one folder: its SDL, resolvers, services, entities and migrations.
 * Janus's own features (accounts, roles, tokens, mfa, audit, mail, one-time tokens) are modules
 * of this shape, and src/app/modules.ts lists them; everything else — GraphQL, the SOFA REST
 * routes, the OpenAPI document, access markers, rate limits, the text rule, metrics, generated
 * clients, the contract check — is derived from the composed schema, with no code of the module's.
 * Everything here is read once at start-up (src/modules/compose.ts), never per request.
 */
export interface JanusModule {
  /** Unique among the modules; names the module in start-up errors. */
  name: string;
  /** The module's SDL files: its types and the root fields it adds (`extend type Query`). */
  sdl?: readonly URL[];
  /** Documented client operations: typed documents in generated/client/ (codegen only). */
  operations?: readonly URL[];
  /** Typed by codegen from the composed SDL; merged with every other module's at start-up. */
  resolvers?: Resolvers;
  /** codegen mappers: a GraphQL type → the model its resolvers receive, `new URL('./x.ts#Export', import.meta.url)`. */
  mappers?: Readonly<Record<string, URL>>;
  entities?: readonly EntityClass<AnyEntity>[];
  /** A folder of `Migration<timestamp>_<name>` files, applied on start in timestamp order with everyone's. */
  migrations?: URL;
  /** The permissions the module's rules check (`resource:action`), listed in docs and checked against its SDL. */
  permissions?: readonly string[];
  /**
   * The services the module provides, one factory per key (declare each key's type in
   * ModuleServices, or in Internals for what resolvers must not see); resolvers reach them
   * through `context.services`. No two modules provide one key.
   */
  services?: ServiceFactories;
  /**
   * What becomes of the module's rows when a user is erased (deleteUser, deleteMe): delete or
   * anonymise them in `em`, the transaction that deletes the user.
   */
  onUserErased?: (em: EntityManager, userId: string) => Promise<void>;
  /**
   * How many ways the user has to sign in through this module (a password, identities at
   * providers, passkeys), in `em`'s transaction: removing the last of all modules' together is
   * refused, so that nobody is locked out of their own account.
   */
  signInMethods?: (em: EntityManager, userId: string) => Promise<number>;
  /**
   * What the housekeeping job deletes each round (expired challenges, abandoned states, old
   * delivered mail), each purge named by the count it reports and run in its own `em`, never in a
   * request's transaction. Names are unique across modules.
   */
  purges?: Readonly<Record<string, Purge>>;
}

/** Deletes a module's rows that are of no use any more at `now`; answers how many it deleted. */
export type Purge = (em: EntityManager, now: Date) => Promise<number>;

/** Typed identity: a module file says `export const module = defineModule({ … })`. */
export function defineModule(module: JanusModule): JanusModule {
  return module;
}
