import { DomainError } from '../shared/errors.ts';

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'A valid access token is required') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(permission: string) {
    super(`Missing permission: ${permission}`);
  }
}
