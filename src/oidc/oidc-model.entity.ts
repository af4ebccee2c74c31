import { defineEntity, p } from '@mikro-orm/core';

/**
 * Every model of the OpenID Provider in one table, as Logto keeps them: authorization codes,
 * access and refresh tokens, grants, sessions, interactions, and the OAuth clients. The payload is
 * oidc-provider's own; the columns beside it are what the adapter looks rows up by.
 */
const OidcModelSchema = defineEntity({
  name: 'OidcModel',
  tableName: 'oidc_models',
  // Sessions are found by uid, device codes by user code (each unique per model); the housekeeping job deletes by expiry.
  uniques: [
    { name: 'oidc_models_uid_unique', properties: ['modelName', 'uid'] },
    { name: 'oidc_models_user_code_unique', properties: ['modelName', 'userCode'] },
  ],
  indexes: [{ name: 'oidc_models_expires_at_index', properties: ['expiresAt'] }],
  properties: {
    modelName: p.string().length(64).primary(),
    id: p.string().length(255).primary(),
    payload: p.json<Record<string, unknown>>(),
    /** The grant a token belongs to: revoking the grant deletes them all. */
    grantId: p.string().length(255).nullable().index(),
    /** A session's uid (sessions are found by cookie id and by uid). */
    uid: p.string().length(255).nullable(),
    userCode: p.string().length(255).nullable(),
    /** Null for what does not expire (clients). */
    expiresAt: p.datetime().nullable(),
    /** When a single-use model (an authorization code, a rotated refresh token) was used. */
    consumedAt: p.datetime().nullable(),
  },
});

export class OidcModel extends OidcModelSchema.class {}
OidcModelSchema.setClass(OidcModel);
