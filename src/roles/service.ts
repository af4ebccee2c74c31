import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import { findUserForUpdate } from '../accounts/queries.ts';
import type { AuditLog } from '../audit/service.ts';
import type { TokenService } from '../tokens/service.ts';
import type { User } from '../accounts/user.entity.ts';
import { NotFoundError } from '../shared/errors.ts';
import { RoleExistsError } from './errors.ts';
import { Role } from './role.entity.ts';
import { validatePermissions, validateRoleName } from './validation.ts';

export interface NewRole {
  name: string;
  permissions: readonly string[];
  selfAssignable?: boolean | null;
}

export interface RoleService {
  list(): Promise<Role[]>;
  create(input: NewRole): Promise<Role>;
  /** Changes a user's role and invalidates their outstanding access tokens. */
  assign(userId: string, roleName: string): Promise<User>;
}

export function createRoleService(deps: { orm: MikroORM; audit: Pick<AuditLog, 'record'>; tokens: Pick<TokenService, 'invalidate'> }): RoleService {
  const { orm, audit, tokens } = deps;
  return {
    list: () => orm.em.fork().find(Role, {}, { orderBy: { name: 'asc' } }),

    async create(input) {
      const name = validateRoleName(input.name);
      const permissions = validatePermissions(input.permissions);
      const em = orm.em.fork();
      const role = em.create(Role, { name, permissions, selfAssignable: input.selfAssignable ?? false });
      audit.record(em, 'role.create', null);
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw new RoleExistsError(name);
        throw error;
      }
      return role;
    },

    async assign(userId, roleName) {
      const assigned = await orm.em.fork().transactional(async (em) => {
        const user = await findUserForUpdate(em, userId);
        const role = await em.findOne(Role, { name: roleName.trim() });
        if (!user) throw new NotFoundError('No user with this id');
        if (!role) throw new NotFoundError(`No role named "${roleName.trim().slice(0, 64)}"`);
        user.role = role;
        // Outstanding access tokens carry the old role: make them fail on the very next request.
        user.tokenVersion += 1;
        audit.record(em, 'role.assign', user.id);
        return user;
      });
      tokens.invalidate(assigned.id);
      return assigned;
    },
  };
}
