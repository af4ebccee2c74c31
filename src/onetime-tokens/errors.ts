import { FixedError } from '../shared/errors.ts';

/** One answer for an unknown, expired, used or wrong-purpose token: none tells an attacker more. */
export class InvalidTokenError extends FixedError('INVALID_TOKEN', 'The token is invalid or has expired; ask for a new one') {}
