import { describe, expect, it } from 'vitest';
import { checkText, SAFE_TEXT_PATTERN, TEXT_MAX_LENGTH, unsafeTextIn } from '../../src/shared/text-rule.ts';

describe('the text rule', () => {
  it.each([
    ['plain ASCII', 'Ada Lovelace'],
    ['accents, CJK, Arabic and emoji', 'Zoë 李 مريم 👩‍💻'],
    ['the left-to-right and right-to-left marks (not overrides)', 'abc\u200Fdef\u200E'],
    ['the empty string', ''],
  ])('accepts %s', (_name, value) => {
    expect(unsafeTextIn(value)).toBeUndefined();
  });

  it.each([
    ['NUL', '\u0000', 'U+0000'],
    ['tab', '\t', 'U+0009'],
    ['line feed', '\n', 'U+000A'],
    ['carriage return', '\r', 'U+000D'],
    ['unit separator', '\u001F', 'U+001F'],
    ['DEL', '\u007F', 'U+007F'],
    ['a C1 control (NEL)', '\u0085', 'U+0085'],
    ['the last C1 control', '\u009F', 'U+009F'],
    ['the line separator', '\u2028', 'U+2028'],
    ['a left-to-right embedding', '\u202A', 'U+202A'],
    ['a right-to-left override', '\u202E', 'U+202E'],
    ['a first-strong isolate', '\u2068', 'U+2068'],
    ['a pop directional isolate', '\u2069', 'U+2069'],
  ])('refuses %s, naming the code point and where it is', (_name, character, codePoint) => {
    expect(unsafeTextIn(`ab${character}c`)).toBe(`a control or direction-override character (${codePoint} at position 2)`);
  });

  it.each([
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', 'a\uDC00b'],
    ['surrogates in the wrong order', '\uDE00\uD83D'],
  ])('refuses %s', (_name, value) => {
    expect(unsafeTextIn(value)).toBe('a lone surrogate (not valid Unicode)');
  });

  it('throws BAD_USER_INPUT for the field it names', () => {
    expect(() => checkText('input.firstName', 'Ada\u0000Evil')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.firstName', message: expect.stringMatching(/^input\.firstName must not contain/) }),
    );
  });

  it('allows at most 4096 characters, counting code points as JSON Schema does', () => {
    expect(unsafeTextIn('a'.repeat(TEXT_MAX_LENGTH))).toBeUndefined();
    expect(unsafeTextIn('a'.repeat(TEXT_MAX_LENGTH + 1))).toBe('more than 4096 characters');
    // 4096 emoji are 8192 UTF-16 units but 4096 characters.
    expect(unsafeTextIn('😀'.repeat(TEXT_MAX_LENGTH))).toBeUndefined();
    expect(unsafeTextIn('😀'.repeat(TEXT_MAX_LENGTH + 1))).toBe('more than 4096 characters');
  });

  it('is stated in the OpenAPI document as a pattern that agrees with it on every character it names', () => {
    const pattern = new RegExp(SAFE_TEXT_PATTERN);
    for (const value of ['Ada', 'Zoë 李', 'a\u200Fb', '']) expect(pattern.test(value)).toBe(true);
    for (const code of [0x00, 0x09, 0x1f, 0x7f, 0x85, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069]) {
      const value = `a${String.fromCharCode(code)}b`;
      expect(pattern.test(value), value).toBe(false);
      expect(unsafeTextIn(value), value).toBeDefined();
    }
  });
});
