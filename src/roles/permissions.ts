import type { Role } from './role.entity.ts';

/** The permissions of a role as clients see them: sorted, so the answer is stable. */
export function permissionsOf(role: Pick<Role, 'permissions'>): string[] {
  return [...role.permissions].sort();
}
