import { dictionary } from '@zxcvbn-ts/language-common';

/** NIST SP 800-63B asks to refuse passwords known from breach corpora; these are the most common. */
export const COMMON_PASSWORD_COUNT = 1000;

let common: ReadonlySet<string> | undefined;

/** Whether the password, ignoring letter case, is among the most common (zxcvbn-ts's ranked list). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']!.slice(0, COMMON_PASSWORD_COUNT).map((entry) => entry.toLowerCase()));
  return common.has(password.toLowerCase());
}
