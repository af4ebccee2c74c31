import { describe, expect, it } from 'vitest';
import { withoutArgumentValues } from '../../src/shared/argument-values.ts';

describe('withoutArgumentValues', () => {
  it('keeps the variable and the reason of a coercion message and cuts the value', () => {
    expect(withoutArgumentValues('Variable "$p" got invalid value ["SECRET"]; String cannot represent a non string value: ["SECRET"]')).toBe(
      'Variable "$p" got an invalid value; String cannot represent a non string value',
    );
    expect(withoutArgumentValues('Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"')).toBe(
      'Variable "$n" got an invalid value; Int cannot represent non-integer value',
    );
    expect(withoutArgumentValues('String cannot represent a non string value: {"SECRET":1}')).toBe('String cannot represent a non string value');
    expect(withoutArgumentValues('Expected value of type "String!", found ["SECRET"].')).toBe('Expected value of type "String!"');
    expect(withoutArgumentValues('Variable "$p" of required type "String!" was not provided.')).toBe('Variable "$p" of required type "String!" was not provided.');
  });

  it('cleans a 90 kB message whose value is one long run of letters in linear time', () => {
    const letters = 'a'.repeat(90_000);
    const started = performance.now();
    expect(withoutArgumentValues(`Variable "$p" got invalid value { ${letters}: 1 }; String cannot represent a non string value: { ${letters}: 1 }`)).toBe(
      'Variable "$p" got an invalid value; String cannot represent a non string value',
    );
    expect(withoutArgumentValues(`Variable "$p" got invalid value { ${letters}: 1 }`)).toBe('Variable "$p" got an invalid value');
    expect(withoutArgumentValues(`${letters} cannot represent ${letters}`)).toBe(`${letters} cannot represent ${letters}`);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
