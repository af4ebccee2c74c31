import { describe, expect, it } from 'vitest';
import { firstLine } from '../../src/cli/password-input.ts';

describe('the password in piped input', () => {
  it.each([
    ['a password and its confirmation', 'pw\npw\n', 'pw'],
    ['Windows line ends', 'secret words\r\nsecret words\r\n', 'secret words'],
    ['one line without a line end', 'only line', 'only line'],
    ['spaces, which belong to the password', '  spaced  \n', '  spaced  '],
    ['an empty first line', '\nsecond', ''],
    ['no input', '', ''],
  ])('is the first line of %s', (_name, input, password) => {
    expect(firstLine(input)).toBe(password);
  });

  it('keeps other control characters, for the password rule to refuse', () => {
    expect(firstLine('tab\there\n')).toBe('tab\there');
  });
});
