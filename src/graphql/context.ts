import type { YogaInitialContext } from 'graphql-yoga';
import type { Principal } from '../auth/principal.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AuditLog } from '../audit/service.ts';
import type { RoleService } from '../roles/service.ts';
import type { TokenService } from '../tokens/service.ts';

/** The domain services, shared by the GraphQL and REST surfaces (and the CLI). */
export interface Services {
  accounts: AccountService;
  roles: RoleService;
  tokens: TokenService;
  audit: AuditLog;
}

/** What the server adds to every operation's context, on both surfaces. */
export interface AppContext {
  services: Services;
  /** The address rate limits count against. */
  clientIp: string;
  /** Set by the auth plugin: the caller behind a valid access token, or null. */
  principal?: Principal | null;
}

/** What every resolver receives. */
export type Context = YogaInitialContext & AppContext;
