import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import { InvalidInputError, NotFoundError } from '../shared/errors.ts';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import { isUuid } from '../shared/uuid.ts';
import { OIDC_SCOPES } from './scopes.ts';

/** The model name oidc-provider reads clients by, in the provider's one table. */
export const CLIENT_MODEL = 'Client';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export interface OAuthClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser back (`post_logout_redirect_uri`). */
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  createdAt: Date;
}

export interface OAuthClientCredentials {
  clientId: string;
  /** Shown once: only its SHA-256 is stored. */
  clientSecret: string;
}

export interface OAuthClientInput {
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[] | null;
  grantTypes: readonly string[];
  scopes: readonly string[];
}

export interface OAuthClientService {
  create(input: OAuthClientInput): Promise<OAuthClientCredentials>;
  list(): Promise<OAuthClient[]>;
  /** Deletes the client, its grants and tokens, and the Janus sessions of its grants. NOT_FOUND for an unknown id. */
  remove(clientId: string): Promise<void>;
}

/** oidc-provider's client metadata, as stored (RFC 7591 names). */
interface ClientMetadata {
  client_id: string;
  client_secret: string;
  client_name: string;
  redirect_uris: string[];
  /** Absent on clients created before it was offered. */
  post_logout_redirect_uris?: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  token_endpoint_auth_method: 'client_secret_basic';
  /** Janus's own: when the client was created (epoch seconds). */
  created_at: number;
}

const NAME_MAX = 100;
const URIS_MAX = 10;
const URI_MAX_LENGTH = 2000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || [...name].length > NAME_MAX) throw new InvalidInputError('name', `name must be 1 to ${NAME_MAX} characters`);
  return name;
}

function validGrantTypes(grantTypes: readonly string[]): string[] {
  const unique = [...new Set(grantTypes)];
  const known: readonly string[] = GRANT_TYPES;
  const unknown = unique.filter((type) => !known.includes(type));
  if (unique.length === 0 || unknown.length > 0) {
    throw new InvalidInputError('grantTypes', `grantTypes must be some of ${GRANT_TYPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  if (unique.includes('refresh_token') && !unique.includes('authorization_code')) {
    throw new InvalidInputError('grantTypes', 'refresh_token needs authorization_code');
  }
  return unique;
}

/** https, or http on a loopback address (a developer's or a native app's redirect); no fragment. */
function validUris(field: 'redirectUris' | 'postLogoutRedirectUris', uris: readonly string[]): string[] {
  const unique = [...new Set(uris)];
  if (unique.length > URIS_MAX) throw new InvalidInputError(field, `at most ${URIS_MAX} URIs in ${field}`);
  for (const uri of unique) {
    const parsed = uri.length <= URI_MAX_LENGTH ? URL.parse(uri) : null;
    const secure = parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
    if (!parsed || !secure || parsed.hash || parsed.username || parsed.password) {
      throw new InvalidInputError(field, `each URI of ${field} must be an absolute https URL (http only on localhost), without a fragment`);
    }
  }
  return unique;
}

function validRedirectUris(uris: readonly string[], needed: boolean): string[] {
  if (needed && uris.length === 0) throw new InvalidInputError('redirectUris', 'authorization_code needs at least one redirect URI');
  if (!needed && uris.length > 0) throw new InvalidInputError('redirectUris', 'redirect URIs are only for authorization_code');
  return validUris('redirectUris', uris);
}

/** RP-initiated logout names the client by an ID token: only a client of users' logins has one. */
function validPostLogoutRedirectUris(uris: readonly string[], userLogins: boolean): string[] {
  if (!userLogins && uris.length > 0) throw new InvalidInputError('postLogoutRedirectUris', 'post-logout redirect URIs are only for authorization_code');
  return validUris('postLogoutRedirectUris', uris);
}

function validScopes(scopes: readonly string[], permissions: readonly string[], grantTypes: readonly string[]): string[] {
  const unique = [...new Set(scopes)];
  const oidc: readonly string[] = OIDC_SCOPES;
  const unknown = unique.filter((scope) => !oidc.includes(scope) && !permissions.includes(scope));
  if (unique.length === 0 || unknown.length > 0) {
    throw new InvalidInputError('scopes', `scopes must be Janus permissions or ${OIDC_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  if (!grantTypes.includes('authorization_code') && unique.some((scope) => oidc.includes(scope))) {
    throw new InvalidInputError('scopes', `${OIDC_SCOPES.join(', ')} are only for authorization_code (a user's login)`);
  }
  return unique;
}

function viewOf(metadata: ClientMetadata): OAuthClient {
  return {
    clientId: metadata.client_id,
    name: metadata.client_name,
    redirectUris: metadata.redirect_uris,
    postLogoutRedirectUris: metadata.post_logout_redirect_uris ?? [],
    grantTypes: metadata.grant_types,
    scopes: metadata.scope.split(' '),
    createdAt: new Date(metadata.created_at * 1000),
  };
}

/**
 * The OpenID Provider's clients, kept in its one table (model `Client`), where oidc-provider
 * reads them. A client is confidential (client_secret_basic); PKCE is required of every client.
 */
export function createOAuthClientService(deps: {
  orm: MikroORM;
  audit: Pick<AuditLog, 'record'>;
  permissions: readonly string[];
  revokeSessions(sessionIds: string[]): Promise<void>;
}): OAuthClientService {
  const { orm } = deps;
  return {
    async create(input) {
      const name = validName(input.name);
      const grantTypes = validGrantTypes(input.grantTypes);
      const userLogins = grantTypes.includes('authorization_code');
      const redirectUris = validRedirectUris(input.redirectUris, userLogins);
      const postLogoutRedirectUris = validPostLogoutRedirectUris(input.postLogoutRedirectUris ?? [], userLogins);
      const scopes = validScopes(input.scopes, deps.permissions, grantTypes);
      const clientId = randomUUID();
      const clientSecret = newOpaqueSecret();
      const metadata: ClientMetadata = {
        client_id: clientId,
        client_secret: hashOpaqueSecret(clientSecret),
        client_name: name,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: grantTypes,
        response_types: userLogins ? ['code'] : [],
        scope: scopes.join(' '),
        token_endpoint_auth_method: 'client_secret_basic',
        created_at: Math.floor(Date.now() / 1000),
      };
      await orm.em.fork().transactional(async (em) => {
        await em.execute('insert into oidc_models (model_name, id, payload) values (?, ?, ?::jsonb)', [CLIENT_MODEL, clientId, JSON.stringify(metadata)]);
        deps.audit.record(em, 'oauth_client.create', null);
      });
      return { clientId, clientSecret };
    },

    async list() {
      const rows = await orm.em.fork().execute<{ payload: ClientMetadata }[]>(
        `select payload from oidc_models where model_name = ? order by payload->>'created_at', id`,
        [CLIENT_MODEL],
      );
      return rows.map((row) => viewOf(row.payload));
    },

    async remove(clientId) {
      if (!isUuid(clientId)) throw new NotFoundError('No OAuth client with this id');
      const grants = await orm.em.fork().transactional(async (em) => {
        const deleted = await em.execute<{ affectedRows: number }>('delete from oidc_models where model_name = ? and id = ?', [CLIENT_MODEL, clientId], 'run');
        if (deleted.affectedRows === 0) throw new NotFoundError('No OAuth client with this id');
        const rows = await em.execute<{ id: string }[]>(`delete from oidc_models where model_name = 'Grant' and payload->>'clientId' = ? returning id`, [clientId]);
        await em.execute(`delete from oidc_models where payload->>'clientId' = ?`, [clientId]);
        deps.audit.record(em, 'oauth_client.delete', null);
        return rows.map((row) => row.id);
      });
      // The grants' Janus sessions end too: their access tokens stop at once.
      await deps.revokeSessions(grants);
    },
  };
}
