import { DomainError } from '../shared/errors.ts';

/** Unknown, expired, rotated or revoked: the client learns only that it must log in again. */
export class InvalidRefreshTokenError extends DomainError {
  readonly code = 'INVALID_REFRESH_TOKEN';
  constructor() {
    super('Refresh token is invalid, expired or revoked');
  }
}
