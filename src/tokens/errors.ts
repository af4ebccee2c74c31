import { FixedError } from '../shared/errors.ts';

/** Unknown, expired, rotated or revoked: the client learns only that it must log in again. */
export class InvalidRefreshTokenError extends FixedError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid, expired or revoked') {}
