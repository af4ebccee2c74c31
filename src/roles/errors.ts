import { DomainError } from '../shared/errors.ts';

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
