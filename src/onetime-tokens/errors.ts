import { DomainError } from '../shared/errors.ts';

/** One answer for an unknown, expired, used or wrong-purpose token: none tells an attacker more. */
export class InvalidTokenError extends DomainError {
  readonly code = 'INVALID_TOKEN';
  constructor() {
    super('The token is invalid or has expired; ask for a new one');
  }
}
