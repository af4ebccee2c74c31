import type { AuditEventResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';

export const Query: QueryResolvers = {
  auditEvents: (_parent, { first, after }, { services }) => services.audit.list(first, after),
};

export const AuditEvent: AuditEventResolvers = {
  id: (event) => String(event.id),
};
