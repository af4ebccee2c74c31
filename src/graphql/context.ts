import type { YogaInitialContext } from 'graphql-yoga';
import type { AccessTokenCheck } from '../auth/jwt.ts';
import type { Caller } from '../auth/principal.ts';
import type { AccountLifecycle } from '../accounts/lifecycle.ts';
import type { EmailFlows } from '../accounts/email-flows.ts';
import type { AccountService } from '../accounts/service.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditLog } from '../audit/service.ts';
import type { MfaService } from '../mfa/service.ts';
import type { RoleService } from '../roles/service.ts';
import type { TokenService } from '../tokens/service.ts';
import type { SessionService } from '../tokens/sessions.ts';

/** Janus's own domain services, shared by the GraphQL and REST surfaces (and the CLI). */
export interface CoreServices {
  accounts: AccountService;
  lifecycle: AccountLifecycle;
  roles: RoleService;
  tokens: TokenService;
  sessions: SessionService;
  audit: AuditLog;
  mfa: MfaService;
  emailFlows: EmailFlows;
  /** Mail queued by the services, for the server's sender to deliver. */
  outbox: Outbox;
}

/**
 * The services modules add (src/modules/module.ts), one key each: a module declares its own with
 * `declare module '../graphql/context.ts' { interface ModuleServices { notes: NoteService } }`.
 */
// Empty until a module augments it.
export interface ModuleServices {}

/** Every service a resolver reaches through `context.services`. */
export interface Services extends CoreServices, ModuleServices {}

/** What the edge hands Yoga with each request (Yoga's server context). */
export interface EdgeContext {
  /** The address rate limits count against. */
  clientIp: string;
  /**
   * The bearer token, checked once at the edge: a token Janus issued (valid, or expired), or
   * undefined when the request carries none. A token Janus never issued never gets this far.
   */
  credential?: Exclude<AccessTokenCheck, { status: 'invalid' }>;
}

/** What the server adds to every operation's context, on both surfaces. */
export interface AppContext extends EdgeContext {
  services: Services;
  /** Set by the auth plugin: the caller behind a valid access token, or null. */
  principal?: Caller | null;
}

/** What every resolver receives. */
export type Context = YogaInitialContext & AppContext;
