import type { AnyEntity, EntityClass } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import type { SessionRule } from '../accounts/session-rule.ts';
import type { AuditLog } from '../audit/service.ts';
import type { CoreServices, ModuleServices } from '../graphql/context.ts';
import type { SignInSettings } from '../sign-in/providers.ts';

/** What a module's services are built from: the database and the core services they may use. */
export interface ModuleDeps {
  orm: MikroORM;
  audit: Pick<AuditLog, 'record' | 'recordAlone'>;
  /** Janus's own services (sign-in opens sessions and second-factor challenges through them). */
  core: Pick<CoreServices, 'tokens' | 'mfa'>;
  /** Whom a session may belong to (disabled users never; unconfirmed ones under JANUS_REQUIRE_VERIFIED_EMAIL). */
  sessionRule: SessionRule;
  /** JANUS_SIGN_IN_PROVIDERS and JANUS_SIGN_IN_REDIRECT_URIS. */
  signIn: SignInSettings;
  /** The ways a user can sign in, as every module counts them (`signInMethods` below), in `em`'s transaction. */
  signInMethods: (em: EntityManager, userId: string) => Promise<number>;
}

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
  /** The module's services, put on every resolver's `context.services` (declare their type in ModuleServices). */
  services?: (deps: ModuleDeps) => Partial<ModuleServices>;
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
}

/** Typed identity: a module file says `export const module = defineModule({ … })`. */
export function defineModule(module: JanusModule): JanusModule {
  return module;
}
