/**
 * The protected header of a compact JWS, read without verifying anything and without throwing:
 * undefined when the token is not shaped like a JWS at all. It lets a malformed token, or one for
 * another algorithm or an unknown key, be turned away before any crypto and before jose builds
 * (and we catch) an error with a stack. jose still checks everything itself on what gets through.
 */
export function protectedHeaderOf(token: string): Record<string, unknown> | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined;
  const json = Buffer.from(token.slice(0, first), 'base64url').toString('utf8');
  // Anything but an object fails here, before JSON.parse would throw a SyntaxError.
  if (!json.startsWith('{') || !json.endsWith('}')) return undefined;
  try {
    const header: unknown = JSON.parse(json);
    return typeof header === 'object' && header !== null ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
