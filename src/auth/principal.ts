import type { UserView } from '../accounts/user-view.ts';
import type { VerifiedAccessToken } from './jwt.ts';

/** The authenticated caller: the user as loaded once for this request, and the token's claims. */
export interface Principal {
  user: UserView;
  permissions: ReadonlySet<string>;
  claims: VerifiedAccessToken;
}
