import type { Principal } from '../auth/principal.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import type { Context } from './context.ts';

/** The caller of an operation the auth plugin has already let through as authenticated. */
export function principalOf(context: Context): Principal {
  if (!context.principal) throw new UnauthenticatedError();
  return context.principal;
}
