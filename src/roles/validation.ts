import { InvalidInputError } from '../shared/errors.ts';

export const ROLE_NAME_SHAPE = /^[a-z][a-z0-9_-]{0,63}$/;
/** `resource:action`, optionally with a scope: `notes:read:any`. */
export const PERMISSION_SHAPE = /^[a-z][a-z0-9_-]{0,63}(?::[a-z][a-z0-9_-]{0,63}){1,2}$/;
export const MAX_PERMISSIONS = 100;

export function validateRoleName(raw: string): string {
  const name = raw.trim();
  if (!ROLE_NAME_SHAPE.test(name)) {
    throw new InvalidInputError('name', 'Role name must be 1 to 64 lower-case letters, digits, _ or -, starting with a letter');
  }
  return name;
}

/** Well-formed `resource:action` strings, without duplicates, sorted. */
export function validatePermissions(raw: readonly string[]): string[] {
  if (raw.length > MAX_PERMISSIONS) throw new InvalidInputError('permissions', `At most ${MAX_PERMISSIONS} permissions`);
  const permissions = new Set(raw.map((permission) => permission.trim()));
  for (const permission of permissions) {
    if (!PERMISSION_SHAPE.test(permission)) {
      throw new InvalidInputError('permissions', `"${permission.slice(0, 130)}" is not a resource:action permission`);
    }
  }
  return [...permissions].sort();
}
