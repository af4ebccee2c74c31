import { DomainError, FixedError } from '../shared/errors.ts';

/** Unknown role names get the same answer as known ones that are not self-assignable. */
export class RoleNotAllowedError extends DomainError {
  readonly code = 'ROLE_NOT_ALLOWED';
  constructor(role: string) {
    super(`Role "${role}" cannot be chosen at registration`);
  }
}

export class RoleExistsError extends DomainError {
  readonly code = 'ROLE_EXISTS';
  constructor(name: string) {
    super(`A role named "${name}" already exists`);
  }
}

/** A caller with roles:write tried to hand out, or take away, permissions their own role lacks. */
export class GrantRefusedError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** The change would leave no user holding roles:write, and so nobody able to manage roles. */
export class LastRoleAdminError extends FixedError('LAST_ROLE_ADMIN', 'This user is the last one holding roles:write: give a role with roles:write to someone else first') {}
