import { InvalidInputError } from './errors.ts';

/**
 * Characters no text argument may hold: C0 controls (tab and newline too: every text field is
 * one line), DEL and C1 controls, the line and paragraph separators, and the bidirectional
 * embeddings, overrides and isolates that make a name display as something else (U+202A–U+202E,
 * U+2066–U+2069). PostgreSQL refuses NUL outright; the rest would reach logs, mails and screens.
 */
const UNSAFE_RANGES = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE_CHARACTER = new RegExp(`[${UNSAFE_RANGES}]`);
/** The rule (lone surrogates aside) as a JSON Schema `pattern`: ECMA-262, no flags. */
export const SAFE_TEXT_PATTERN = `^[^${UNSAFE_RANGES}]*$`;
/**
 * The most characters (code points, as JSON Schema's `maxLength` counts) any text argument may
 * hold; fields with a rule of their own (names, emails, passwords) allow far fewer.
 */
export const TEXT_MAX_LENGTH = 4096;
/** The most items any list argument may hold; a field's own rule may allow fewer. */
export const LIST_MAX_ITEMS = 100;

/** Code points, counted only when the UTF-16 length alone cannot decide. */
const longerThan = (value: string, max: number): boolean => value.length > max && [...value].length > max;

const codePoint = (character: string): string => `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** What makes `value` unacceptable as text, or undefined when it is acceptable. */
export function unsafeTextIn(value: string): string | undefined {
  if (longerThan(value, TEXT_MAX_LENGTH)) return `more than ${TEXT_MAX_LENGTH} characters`;
  const match = UNSAFE_CHARACTER.exec(value);
  if (match) return `a control or direction-override character (${codePoint(match[0])} at position ${match.index})`;
  // A lone surrogate is not text at all: it cannot be encoded as UTF-8 for the database.
  if (!value.isWellFormed()) return 'a lone surrogate (not valid Unicode)';
  return undefined;
}

/** Refuses `value` for `field` with BAD_USER_INPUT unless it is acceptable text. */
export function checkText(field: string, value: string): void {
  const unsafe = unsafeTextIn(value);
  if (unsafe) throw new InvalidInputError(field, `${field} must not contain ${unsafe}`);
}
