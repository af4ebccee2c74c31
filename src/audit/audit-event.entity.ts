import { defineEntity, p } from '@mikro-orm/core';

const AUDIT_EVENTS = [
  'registration',
  // Someone registered an address that has an account (JANUS_REQUIRE_VERIFIED_EMAIL): the owner was mailed.
  'registration.duplicate',
  'login.success',
  'login.failure',
  'token.refresh',
  'token.refresh_replay',
  'token.reuse_detected',
  'logout',
  'logout_all',
  'password.change',
  // A wrong current password from an authenticated caller (changePassword, deleteMe).
  'password.failure',
  'password.reset_requested',
  'password.reset',
  'email.verification_sent',
  'email.verified',
  'role.create',
  'role.assign',
  'mfa.enroll',
  'mfa.enable',
  'mfa.disable',
  'mfa.challenge',
  'mfa.success',
  'mfa.failure',
  'mfa.recovery_codes',
  // Wrong second-factor codes of the account filled their window (JANUS_MFA_FAILURE_LIMIT).
  'mfa.lockout',
  'session.revoke',
  'login.disabled',
  'user.disable',
  'user.enable',
  'user.delete',
  // A role change refused: granting (or taking away) permissions the caller lacks, or taking
  // roles:write from its last holder.
  'role.grant_refused',
  'role.demote_refused',
  'passkey.register',
  'passkey.delete',
  // A passkey login whose signature counter did not rise: a cloned authenticator, or a replay.
  'passkey.counter_regression',
  // An identity provider's account linked to or removed from a user (src/sign-in).
  'identity.link',
  'identity.unlink',
  // The OpenID Provider: clients registered and deleted (the actor is the admin), a user's consent to a client.
  'oauth_client.create',
  'oauth_client.delete',
  'oauth.consent',
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/**
 * One security-relevant event, written in the same transaction as the change it records. It
 * never holds a secret: no password, token or hash, only who, what, from where and when.
 */
const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    // A sequence, not a uuid: it orders the trail and serves as the page cursor.
    id: p.bigint('number').primary().autoincrement(),
    event: p.string().length(32),
    // No foreign keys: the trail must outlive the users it mentions.
    /** The user the event is about. */
    userId: p.uuid().nullable().index(),
    /** Who caused it, when that is an authenticated caller other than the user (e.g. an admin). */
    actorId: p.uuid().nullable(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    requestId: p.string().length(128).nullable(),
    // JANUS_AUDIT_RETENTION_DAYS deletes by it.
    createdAt: p.datetime().onCreate(() => new Date()).index(),
  },
});

export class AuditEvent extends AuditEventSchema.class {}
AuditEventSchema.setClass(AuditEvent);
