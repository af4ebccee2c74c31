import type { User } from '../accounts/user.entity.ts';
import type { VerifiedAccessToken } from './jwt.ts';

/** The authenticated caller: the user as loaded once for this request, and the token's claims. */
export interface Principal {
  user: User;
  permissions: ReadonlySet<string>;
  claims: VerifiedAccessToken;
}
