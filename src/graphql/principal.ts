import { UserRequiredError } from '../auth/errors.ts';
import { isClientPrincipal, type Principal } from '../auth/principal.ts';
import type { Context } from './context.ts';

/**
 * The user calling an operation the auth plugin let through. Access was decided before execution
 * (src/auth/plugin.ts); a missing principal here is a bug in that decision, not a refusal, so it
 * fails as one. An OAuth client's own token (no user) that a permission let through is refused
 * here, clearly, by the fields that act as a user.
 */
export function principalOf(context: Context): Principal {
  if (!context.principal) throw new Error('an authenticated field ran without a principal: its access rule is missing');
  if (isClientPrincipal(context.principal)) throw new UserRequiredError();
  return context.principal;
}
