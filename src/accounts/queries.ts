import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../shared/uuid.ts';
import { User } from './user.entity.ts';

/** A user by id, with its role; an id that is not a UUID cannot exist and is not sent to the database. */
export function findUser(em: EntityManager, id: string): Promise<User | null> {
  return isUuid(id) ? em.findOne(User, { id }, { populate: ['role'] }) : Promise.resolve(null);
}

/**
 * The user row locked until the caller's transaction ends, so that concurrent changes to the
 * token version (logout everywhere, password or role change) never lose an increment.
 */
export function findUserForUpdate(em: EntityManager, id: string): Promise<User | null> {
  return isUuid(id)
    ? em.findOne(User, { id }, { populate: ['role'], lockMode: LockMode.PESSIMISTIC_WRITE })
    : Promise.resolve(null);
}
