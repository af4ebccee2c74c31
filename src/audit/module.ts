import { defineModule } from '../modules/module.ts';
import { AuditEvent } from './audit-event.entity.ts';
import * as resolvers from './resolvers.ts';
import { createAuditLog } from './service.ts';

/** The audit trail. */
export const module = defineModule({
  name: 'audit',
  sdl: [new URL('./audit.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, AuditEvent: resolvers.AuditEvent },
  mappers: { AuditEvent: new URL('./audit-event.entity.ts#AuditEvent', import.meta.url) },
  entities: [AuditEvent],
  migrations: new URL('./migrations/', import.meta.url),
  permissions: ['audit:read'],
  services: { audit: ({ database }) => createAuditLog({ orm: database.orm }) },
});
