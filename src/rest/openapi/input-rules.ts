import {
  EMAIL_MAX_LENGTH,
  EMAIL_SHAPE,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_BYTES,
  PHONE_MAX_LENGTH,
  PHONE_SHAPE,
} from '../../accounts/validation.ts';
import { MAX_PERMISSIONS, PERMISSION_SHAPE, ROLE_NAME_SHAPE } from '../../roles/validation.ts';
import { MAX_PAGE_SIZE } from '../../shared/pagination.ts';
import type { JsonSchema } from './json-schema.ts';

const newPassword: JsonSchema = {
  // JSON Schema counts characters, the rule counts UTF-8 bytes: a longer string can never pass.
  maxLength: PASSWORD_MAX_BYTES,
  description: `${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes of UTF-8 after NFKC normalisation, and not one of the 1,000 most common passwords.`,
};
const name: JsonSchema = { minLength: 1, maxLength: NAME_MAX_LENGTH, description: 'Trimmed; 1 to 100 characters.' };
const pageSize: JsonSchema = { minimum: 1, description: `Page size; above ${MAX_PAGE_SIZE} counts as ${MAX_PAGE_SIZE}.` };

/**
 * What the services accept, as JSON Schema constraints on the REST arguments, keyed
 * `field.argument`. Built from the constants the validators use, so the document cannot drift
 * from them; a rule is only a necessary condition (e.g. an email also must not be taken).
 */
export const INPUT_RULES: Readonly<Record<string, JsonSchema>> = {
  'registerUser.email': {
    format: 'email',
    maxLength: EMAIL_MAX_LENGTH,
    pattern: EMAIL_SHAPE.source,
    description: 'Trimmed and lower-cased; unique regardless of case.',
  },
  'registerUser.password': newPassword,
  'registerUser.firstName': name,
  'registerUser.lastName': name,
  'registerUser.phoneNumber': {
    maxLength: PHONE_MAX_LENGTH,
    pattern: PHONE_SHAPE.source,
    description: 'Digits, spaces, ( ) . - and a leading +.',
  },
  'registerUser.role': { description: 'A self-assignable role, e.g. `user` or `employee`.' },
  'changePassword.newPassword': newPassword,
  'createRole.name': { pattern: ROLE_NAME_SHAPE.source },
  'createRole.permissions': { maxItems: MAX_PERMISSIONS, items: { type: 'string', pattern: PERMISSION_SHAPE.source } },
  'users.first': pageSize,
  'auditEvents.first': pageSize,
};
