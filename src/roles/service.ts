import { UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { findUser, findUserForUpdate } from '../accounts/queries.ts';
import type { AuditLog } from '../audit/service.ts';
import type { TokenService } from '../tokens/service.ts';
import type { User } from '../accounts/user.entity.ts';
import { NotFoundError } from '../shared/errors.ts';
import { GrantRefusedError, LastRoleAdminError, RoleExistsError } from './errors.ts';
import { Role } from './role.entity.ts';
import { validatePermissions, validateRoleName } from './validation.ts';

/** The permission that manages roles: someone must always hold it. */
export const ROLE_ADMIN_PERMISSION = 'roles:write';

export interface NewRole {
  name: string;
  permissions: readonly string[];
  selfAssignable?: boolean | null;
}

/**
 * Who asks for a role change: a signed-in user, who may only hand out (or take away) permissions
 * their own role grants, or the operator at the command line, who may grant anything.
 */
export type Granter = { userId: string } | 'operator';

export interface RoleService {
  list(): Promise<Role[]>;
  /** Refused (FORBIDDEN) when the role would grant a permission the granter's role lacks. */
  create(input: NewRole, granter: Granter): Promise<Role>;
  /**
   * Changes a user's role and invalidates their outstanding access tokens. The granter must hold
   * every permission of the new role and of the user's current one (FORBIDDEN), and the last
   * holder of roles:write keeps it (LAST_ROLE_ADMIN).
   */
  assign(userId: string, roleName: string, granter: Granter): Promise<User>;
}

/**
 * Locks every enabled holder of roles:write until the caller's transaction ends, in id order, and
 * returns their ids. Any transaction that may take roles:write from someone calls it before it
 * locks any user row: all of them then lock the holders in one order, so that two admins disabling
 * each other at once queue up instead of deadlocking (each holding its target, waiting for the other's).
 */
export async function lockRoleAdmins(em: EntityManager): Promise<string[]> {
  // `for update of u`: the users' rows only; locking the role's row would hold up registrations.
  const holders = await em.execute<{ id: string }[]>(
    'select u.id from users u join roles r on r.id = u.role_id where ? = any(r.permissions) and not u.disabled order by u.id for update of u',
    [ROLE_ADMIN_PERMISSION],
  );
  return holders.map((holder) => holder.id);
}

/**
 * Refuses (LAST_ROLE_ADMIN) to take roles:write from `userId`, by a role change, disabling or
 * deleting the account, when no other user holds it: nobody could manage roles any more.
 * `holders` comes from lockRoleAdmins in the same transaction, so that two such changes at once
 * cannot both pass.
 */
export function refuseLastRoleAdmin(holders: readonly string[], userId: string): void {
  if (holders.length === 1 && holders[0] === userId) throw new LastRoleAdminError();
}

/**
 * Runs a change that may be refused for the roles' sake; a refusal is written to the audit trail on
 * its own, as the change rolled back. Any service whose change can meet these refusals runs it here.
 */
export async function auditingRoleRefusals<T>(audit: Pick<AuditLog, 'recordAlone'>, userId: string | null, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof GrantRefusedError) await audit.recordAlone('role.grant_refused', userId);
    if (error instanceof LastRoleAdminError) await audit.recordAlone('role.demote_refused', userId);
    throw error;
  }
}

/** The permissions a granter may hand out, read now (not from the access token): `all` for the operator. */
async function grantable(em: EntityManager, granter: Granter): Promise<ReadonlySet<string> | 'all'> {
  if (granter === 'operator') return 'all';
  const user = await findUser(em, granter.userId);
  return new Set(user?.role.permissions ?? []);
}

function refuseUnheld(held: ReadonlySet<string> | 'all', wanted: readonly string[], what: string): void {
  if (held === 'all') return;
  const missing = wanted.filter((permission) => !held.has(permission));
  if (missing.length > 0) throw new GrantRefusedError(`${what} ${[...missing].sort().join(', ')}, which your own role does not grant`);
}

export function createRoleService(deps: {
  orm: MikroORM;
  audit: Pick<AuditLog, 'record' | 'recordAlone'>;
  tokens: Pick<TokenService, 'invalidate'>;
}): RoleService {
  const { orm, audit, tokens } = deps;

  const auditingRefusals = <T>(userId: string | null, change: () => Promise<T>): Promise<T> => auditingRoleRefusals(audit, userId, change);

  return {
    list: () => orm.em.fork().find(Role, {}, { orderBy: { name: 'asc' } }),

    async create(input, granter) {
      const name = validateRoleName(input.name);
      const permissions = validatePermissions(input.permissions);
      const em = orm.em.fork();
      await auditingRefusals(null, async () =>
        refuseUnheld(await grantable(em, granter), permissions, 'Cannot create a role with'),
      );
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

    async assign(userId, roleName, granter) {
      const assigned = await auditingRefusals(userId, () =>
        orm.em.fork().transactional(async (em) => {
          // First, before the user's row: lockRoleAdmins says why.
          const roleAdmins = await lockRoleAdmins(em);
          const user = await findUserForUpdate(em, userId);
          const role = await em.findOne(Role, { name: roleName.trim() });
          if (!user) throw new NotFoundError('No user with this id');
          if (!role) throw new NotFoundError(`No role named "${roleName.trim().slice(0, 64)}"`);
          const held = await grantable(em, granter);
          refuseUnheld(held, role.permissions, `Cannot assign role "${role.name}": it grants`);
          // Taking permissions away is granting in reverse: no demoting someone who holds more.
          refuseUnheld(held, user.role.permissions, 'Cannot change the role of a user who holds');
          if (user.role.permissions.includes(ROLE_ADMIN_PERMISSION) && !role.permissions.includes(ROLE_ADMIN_PERMISSION)) {
            refuseLastRoleAdmin(roleAdmins, user.id);
          }
          user.role = role;
          // Outstanding access tokens carry the old role: make them fail on the very next request.
          user.tokenVersion += 1;
          audit.record(em, 'role.assign', user.id);
          return user;
        }),
      );
      tokens.invalidate(assigned.id);
      return assigned;
    },
  };
}
