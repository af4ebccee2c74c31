import { type GatewayPlugin, createGatewayRuntime, createRemoteJwksSigningKeyProvider, useForwardedJWT, useJWT } from '@graphql-hive/gateway';
import { createSchema, createYoga } from 'graphql-yoga';

/**
 * Hive Gateway in front of one GraphQL service, accepting Janus access tokens: it verifies each
 * against Janus's JWKS (RS256: the gateway's JWT plugin is built on jsonwebtoken, which refuses
 * EdDSA) and forwards the verified claims to the service in the request's `extensions.jwt`.
 */
export function janusGateway(options: { janusUrl: string; serviceUrl: string; logging?: boolean }) {
  return createGatewayRuntime({
    proxy: { endpoint: options.serviceUrl },
    logging: options.logging,
    plugins: () => [
      useJWT({
        signingKeyProviders: [
          createRemoteJwksSigningKeyProvider({
            jwksUri: `${options.janusUrl}/.well-known/jwks.json`,
            // A token under an unknown kid refetches the JWKS: at most this often.
            rateLimit: true,
            jwksRequestsPerMinute: 10,
          }),
        ],
        tokenVerification: { algorithms: ['RS256'], issuer: 'janus', audience: 'janus' },
        reject: { missingToken: true, invalidToken: true },
        forward: { payload: true },
        // The plugin's bundled typings declare their own copy of the gateway's Logger class.
      }) as GatewayPlugin,
    ],
  });
}

/** The verified claims, as the gateway forwards them. */
interface ForwardedJwt {
  jwt?: { payload?: { sub?: string; role?: string; perms?: string[] } };
}

/**
 * A small Yoga service behind the gateway: it reads the claims the gateway forwarded. It trusts
 * them, so only the gateway may reach it (a private network, or the gateway's HMAC signature).
 */
export function viewerService() {
  return createYoga<ForwardedJwt>({
    schema: createSchema<ForwardedJwt>({
      typeDefs: 'type Query { viewer: Viewer } type Viewer { id: ID! role: String! permissions: [String!]! }',
      resolvers: {
        Query: {
          viewer: (_root, _args, context) => {
            const claims = context.jwt?.payload;
            return claims?.sub ? { id: claims.sub, role: claims.role, permissions: claims.perms ?? [] } : null;
          },
        },
      },
    }),
    plugins: [useForwardedJWT({})],
  });
}
