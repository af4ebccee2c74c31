import { describe, expect, it } from 'vitest';
import { checkText, unsafeTextIn } from '../../src/shared/text-rule.ts';

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
});
