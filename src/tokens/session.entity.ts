import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

/** A login session: the `sid` claim of access tokens and the family of its refresh tokens. */
const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** The last refresh; the creation time until the first. */
    lastUsedAt: p.datetime().onCreate(() => new Date()),
    /** As seen at login or at the last refresh, for the owner to recognise the session by. */
    userAgent: p.string().length(512).nullable(),
    ip: p.string().length(64).nullable(),
    revokedAt: p.datetime().nullable(),
    // How the login proved who it was (RFC 8176 values: pwd, otp): every access token of the session carries it.
    amr: p.array().default(['pwd']),
  },
});

export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);
