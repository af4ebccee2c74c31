import type { IncomingMessage } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { ClaimShape } from '../auth/claim-shapes.ts';
import type { SigningKey } from '../auth/keys.ts';
import type { Services } from '../graphql/context.ts';
import type { MountedHandler } from '../http/edge.ts';
import { fieldLimiter, limiterOptionsOf, rateLimitedFieldsOf, type RateLimitSettings } from '../ratelimit/plugin.ts';
import type { RateLimitStore } from '../ratelimit/store.ts';
import { createAdapterClass } from './adapter.ts';
import { createOidcMount, OIDC_PATHS } from './endpoint.ts';
import { revokeGrantSessions } from './grant-sessions.ts';
import { cookieKeysOf } from './cookie-keys.ts';
import { createInteractionPages } from './interactions.ts';
import { createJwtIntrospection } from './introspection.ts';
import { createOpenIdProvider } from './provider.ts';
import { createUserinfo } from './userinfo.ts';

export interface OpenIdMountOptions {
  /** JANUS_PUBLIC_URL, else the listening address (known once the server listens). */
  publicUrl(): string;
  orm: MikroORM;
  services: Services;
  schema: GraphQLSchema;
  permissions: readonly string[];
  accessTokenKey: SigningKey;
  idTokenKey: SigningKey;
  config: RateLimitSettings & {
    jwt: { issuer: string; audience: string; accessTokenTtlSeconds: number; claimShapes: readonly ClaimShape[] };
    refreshTokenTtlSeconds: number;
  };
  rateLimitStore: RateLimitStore;
  allowsOrigin(origin: string): boolean;
  clientIp(request: IncomingMessage): string;
  bodyLimitBytes: number;
  onServerError(error: Error): void;
}

/** The `@rateLimit` rule of a root mutation, from the SDL (the pages count as that mutation). */
function limiterOf(options: OpenIdMountOptions, field: string) {
  const limited = rateLimitedFieldsOf(options.schema).find((candidate) => candidate.type === 'Mutation' && candidate.field === field);
  if (!limited) throw new Error(`Mutation.${field} has no @rateLimit: the sign-in pages count against it`);
  return fieldLimiter(limited, limiterOptionsOf(options.config, options.rateLimitStore));
}

/**
 * Janus's OpenID Provider as the edge mounts it: built on the first request, when the listening
 * address (the default issuer) is known.
 */
export function createOpenIdMount(options: OpenIdMountOptions): MountedHandler {
  const { services, orm } = options;
  const limits = { login: limiterOf(options, 'loginUser'), code: limiterOf(options, 'verifyMfa') };
  let mounted: MountedHandler | undefined;

  function build(): MountedHandler {
    const issuer = options.publicUrl();
    const introspection = createJwtIntrospection({ tokens: services.tokens, bodyLimitBytes: options.bodyLimitBytes });
    const provider = createOpenIdProvider({
      issuer,
      orm,
      accessTokenKey: options.accessTokenKey,
      idTokenKey: options.idTokenKey,
      jwt: options.config.jwt,
      sessionTtlSeconds: options.config.refreshTokenTtlSeconds,
      permissions: options.permissions,
      cookieKeys: cookieKeysOf(options.accessTokenKey),
      allowsOrigin: options.allowsOrigin,
      onGrantRevoked: (grantId) => revokeGrantSessions(orm, services.tokens, [grantId]),
      introspectedAccessToken: introspection.answerOf,
      onServerError: options.onServerError,
    });
    const pages = createInteractionPages({
      provider,
      state: new (createAdapterClass(orm))('JanusInteraction'),
      accounts: services.accounts,
      mfa: services.mfa,
      tokens: services.tokens,
      audit: services.audit,
      limits,
      clientIp: options.clientIp,
      bodyLimitBytes: options.bodyLimitBytes,
      resource: issuer,
    });
    return createOidcMount({
      provider,
      publicUrl: issuer,
      pages,
      userinfo: createUserinfo(services.tokens),
      prepareIntrospection: introspection.prepare,
    });
  }

  return {
    ...OIDC_PATHS,
    handle(request, response, pathname) {
      mounted ??= build();
      return mounted.handle(request, response, pathname);
    },
  };
}
