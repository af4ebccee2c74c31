/** The OpenID Connect scopes Janus offers beside its permissions (which are scopes too). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The scopes of a space-separated `scope` value, in order, without repeats. */
export function scopeList(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}

/** The ID token's `acr` for a login proven by these methods (RFC 8176 `amr` values). */
export function acrOf(amr: readonly string[]): string {
  return amr.join('+');
}
