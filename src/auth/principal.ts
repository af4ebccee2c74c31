import type { UserView } from '../accounts/user-view.ts';
import type { VerifiedAccessToken, VerifiedClientToken } from './jwt.ts';

/** The authenticated caller: the user as loaded once for this request, and the token's claims. */
export interface Principal {
  user: UserView;
  permissions: ReadonlySet<string>;
  claims: VerifiedAccessToken;
}

/**
 * An OAuth client calling on its own behalf (a client_credentials token of Janus's OpenID
 * Provider): no user, its permissions are the scopes it was granted.
 */
export interface ClientPrincipal {
  client: { id: string };
  permissions: ReadonlySet<string>;
  claims: VerifiedClientToken;
}

/** Whoever a valid access token speaks for. */
export type Caller = Principal | ClientPrincipal;

export function isClientPrincipal(caller: Caller): caller is ClientPrincipal {
  return 'client' in caller;
}

/** The id rate limits count a caller's attempts against. */
export function callerIdOf(caller: Caller): string {
  return isClientPrincipal(caller) ? caller.client.id : caller.user.id;
}
