import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { Role } from '../roles/role.entity.ts';

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    // Stored already normalised (trimmed, lower-cased): the unique index is then case-insensitive.
    email: p.string().length(254).unique(),
    // Null for an account without a password (signed up at an identity provider, src/sign-in).
    passwordHash: p.string().length(60).nullable().hidden(),
    firstName: p.string().length(100),
    lastName: p.string().length(100),
    phoneNumber: p.string().length(32),
    role: () => p.manyToOne(Role).index(),
    // Bumped to invalidate every outstanding access token of the user at once.
    tokenVersion: p.integer().default(0),
    // A confirmed TOTP second factor (src/mfa): login then asks for a code after the password.
    mfaEnabled: p.boolean().default(false),
    // Set by an operator: no login, refresh or access token works while it is.
    disabled: p.boolean().default(false),
    /** Set once the user used a token mailed to this address (verification or password reset). */
    emailVerified: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
