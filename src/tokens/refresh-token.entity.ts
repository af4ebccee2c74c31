import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { Session } from './session.entity.ts';

/** Only the SHA-256 of a refresh token is stored: a database leak yields no usable token. */
const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    session: () => p.manyToOne(Session).deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime().index(),
    // Set when the token is exchanged: a second use is a replay and revokes the session.
    usedAt: p.datetime().nullable(),
    // Set with usedAt: the token that replaced this one (successor.ts), for a replay within the
    // reuse interval.
    successorId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
