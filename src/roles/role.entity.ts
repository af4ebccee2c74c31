import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

const RoleSchema = defineEntity({
  name: 'Role',
  tableName: 'roles',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    name: p.string().length(64).unique(),
    permissions: p.array().default([]),
    selfAssignable: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class Role extends RoleSchema.class {}
RoleSchema.setClass(Role);
