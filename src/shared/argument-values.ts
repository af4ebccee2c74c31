/**
 * graphql-js echoes a refused argument value in its messages (`Variable "$p" got invalid value
 * ["SECRET"]; String cannot represent a non string value: ["SECRET"]`, `Expected value of type
 * "String!", found …`): a password sent with the wrong type would reach logs and answers. The
 * value is cut out, on both surfaces; the variable's name and the reason stay.
 */
export function withoutArgumentValues(message: string): string {
  const variable = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" got invalid value/.exec(message);
  const reason = /[_A-Za-z]+ cannot represent [^:;"]*?value/.exec(message)?.[0];
  if (variable) return `${variable[0].replace('got invalid value', 'got an invalid value')}${reason ? `; ${reason}` : ''}`;
  if (reason) return reason;
  return message.replace(/(Expected value of type "[^"]+"), found .*$/s, '$1');
}
