import type { Principal } from '../auth/principal.ts';
import type { Context } from './context.ts';

/**
 * The caller of an operation the auth plugin let through as authenticated. Access was decided
 * before execution (src/auth/plugin.ts); a missing principal here is a bug in that decision, not
 * a refusal, so it fails as one.
 */
export function principalOf(context: Context): Principal {
  if (!context.principal) throw new Error('an authenticated field ran without a principal: its access rule is missing');
  return context.principal;
}
