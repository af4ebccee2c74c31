/**
 * graphql-js echoes a refused argument value in its messages (`Variable "$p" got invalid value
 * ["SECRET"]; String cannot represent a non string value: ["SECRET"]`, `Expected value of type
 * "String!", found …`): a password sent with the wrong type would reach logs and answers. The
 * value is cut out, on both surfaces; the variable's name and the reason stay.
 *
 * The message holds the client's value, which may be as long as the body limit allows: it is read
 * with indexOf and short anchored patterns over bounded slices only, never with a pattern that
 * scans (and could backtrack over) the whole text.
 */
const VARIABLE = 'Variable "$';
const GOT_INVALID_VALUE = '" got invalid value';
const CANNOT_REPRESENT = ' cannot represent ';
const EXPECTED_VALUE = 'Expected value of type "';
/** GraphQL names (of variables and scalars) up to a length no schema or document here comes near. */
const MAX_NAME = 128;
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
/** graphql-js's reasons: `a non string value`, `non 32-bit signed integer value`, `value`, … */
const REASON_TAIL = /^[a-z0-9 -]*value$/;
const MAX_REASON_TAIL = 64;

const isNameCharacter = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

/** `<Scalar> cannot represent <…> value`, the first place it stands on its own in `message`. */
function reasonIn(message: string): string | undefined {
  for (let at = message.indexOf(CANNOT_REPRESENT); at >= 0; at = message.indexOf(CANNOT_REPRESENT, at + 1)) {
    let start = at;
    while (start > 0 && at - start < MAX_NAME && isNameCharacter(message.charCodeAt(start - 1))) start -= 1;
    const scalar = message.slice(start, at);
    const standsAlone = start === 0 || message.slice(Math.max(0, start - 2), start) === '; ' || message[start - 1] === ' ';
    if (!standsAlone || !NAME.test(scalar)) continue;
    const tailStart = at + CANNOT_REPRESENT.length;
    const colon = message.indexOf(':', tailStart);
    const tail = message.slice(tailStart, colon < 0 ? message.length : colon);
    if (tail.length <= MAX_REASON_TAIL && REASON_TAIL.test(tail)) return `${scalar}${CANNOT_REPRESENT}${tail}`;
  }
  return undefined;
}

export function withoutArgumentValues(message: string): string {
  const reason = reasonIn(message);
  if (message.startsWith(VARIABLE)) {
    const end = message.indexOf(GOT_INVALID_VALUE, VARIABLE.length);
    const name = end < 0 ? '' : message.slice(VARIABLE.length, end);
    if (name.length <= MAX_NAME && NAME.test(name)) return `Variable "$${name}" got an invalid value${reason ? `; ${reason}` : ''}`;
  }
  if (reason) return reason;
  const expected = message.indexOf(EXPECTED_VALUE);
  if (expected >= 0) {
    const close = message.indexOf('"', expected + EXPECTED_VALUE.length);
    if (close >= 0) return message.slice(0, close + 1);
  }
  return message;
}
