import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

/**
 * An account at an identity provider, linked to a user: (provider, subject) identifies it, the
 * subject being the provider's stable id (`sub`, GitHub's numeric id), never the email.
 */
const IdentitySchema = defineEntity({
  name: 'Identity',
  tableName: 'identities',
  uniques: [{ properties: ['provider', 'subject'] }, { properties: ['user', 'provider'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    provider: p.string().length(64),
    subject: p.string().length(255),
    // The address the provider gave when linked: shown to the owner, never used to find the account.
    email: p.string().length(254).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class Identity extends IdentitySchema.class {}
IdentitySchema.setClass(Identity);

/**
 * A sign-in under way at a provider: what the callback must match (state, only as its SHA-256),
 * and what only the server may know (nonce, PKCE verifier), single use and short-lived. `user`
 * is set when a logged-in user links a provider.
 */
const SignInStateSchema = defineEntity({
  name: 'SignInState',
  tableName: 'sign_in_states',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    stateHash: p.string().length(64).unique(),
    provider: p.string().length(64),
    nonce: p.string().length(64).hidden(),
    codeVerifier: p.string().length(128).hidden(),
    redirectUri: p.string().length(2048),
    user: () => p.manyToOne(User).deleteRule('cascade').nullable(),
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class SignInState extends SignInStateSchema.class {}
SignInStateSchema.setClass(SignInState);
