import { InvalidInputError } from '../shared/errors.ts';
import { isCommonPassword } from './common-passwords.ts';

export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_BYTES = 8;
/** bcrypt ignores everything after 72 bytes: longer passwords are refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const NAME_MAX_LENGTH = 100;
export const PHONE_MAX_LENGTH = 32;

// Deliberately simpler than RFC 5322: one @, no spaces, a dot in the domain, no empty labels.
export const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export const PHONE_SHAPE = /^\+?\(?[0-9][0-9 ().-]*$/;

export function normalizeEmail(raw: string): string {
  const email = tryNormalizeEmail(raw);
  if (email === undefined) throw new InvalidInputError('email', 'Email is not a valid address');
  return email;
}

export function tryNormalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(email) ? email : undefined;
}

/**
 * NFKC, so that the same password typed on another keyboard or OS (composed or decomposed
 * accents, full-width digits) hashes the same.
 */
export function normalizePassword(raw: string): string {
  return raw.normalize('NFKC');
}

/** The normalised password, once it has the allowed length and is not a common one. */
export function validatePassword(raw: string, field = 'password'): string {
  const password = normalizePassword(raw);
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
    throw new InvalidInputError(field, `Password must be between ${PASSWORD_MIN_BYTES} and ${PASSWORD_MAX_BYTES} bytes long`);
  }
  if (isCommonPassword(password)) throw new InvalidInputError(field, 'This password is too common; choose another');
  return password;
}

/** Whether a login password can be checked at all: a longer one cannot match any stored hash. */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
}

export function normalizeName(field: string, raw: string): string {
  const value = raw.trim();
  if (value.length === 0 || value.length > NAME_MAX_LENGTH) {
    throw new InvalidInputError(field, `${field} must be 1 to ${NAME_MAX_LENGTH} characters long`);
  }
  return value;
}

export function normalizePhoneNumber(raw: string): string {
  const value = raw.trim();
  if (value.length > PHONE_MAX_LENGTH || !PHONE_SHAPE.test(value)) {
    throw new InvalidInputError('phoneNumber', 'Phone number may hold digits, spaces, ( ) . - and a leading +');
  }
  return value;
}
