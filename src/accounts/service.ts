import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import { MfaRequiredError, UnauthenticatedError } from '../auth/errors.ts';
import type { MfaService } from '../mfa/service.ts';
import { Role } from '../roles/role.entity.ts';
import { RoleNotAllowedError } from '../roles/errors.ts';
import { permissionsOf } from '../roles/permissions.ts';
import { NotFoundError } from '../shared/errors.ts';
import { decodeCursor, pageSize, toPage, type Page } from '../shared/pagination.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import type { AccountMail } from './account-mail.ts';
import { EmailTakenError, InvalidCredentialsError } from './errors.ts';
import { isPasswordOf, type PasswordHasher } from './passwords.ts';
import { findUser, findUserForUpdate } from './queries.ts';
import { loginRefusalEvent, type SessionRule } from './session-rule.ts';
import { User } from './user.entity.ts';
import type { UserView } from './user-view.ts';
import {
  fitsBcrypt,
  normalizeEmail,
  normalizeName,
  normalizePassword,
  normalizePhoneNumber,
  tryNormalizeEmail,
  validatePassword,
} from './validation.ts';

export interface RegistrationInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  role: string;
}

/**
 * What registration answers. With JANUS_REQUIRE_VERIFIED_EMAIL the tokens are null (no session
 * before the address is confirmed), and a taken address answers alike with a decoy user.
 */
export interface Registration {
  user: UserView;
  token: string | null;
  refreshToken: string | null;
  permissions: string[];
}

/** An account that may not log in yet: the user and the role's permissions, no session. */
const unconfirmed = (user: UserView): Registration => ({ user, token: null, refreshToken: null, permissions: permissionsOf(user.role) });

export interface AccountService {
  /**
   * Self-service sign-up: only self-assignable roles. Opens a session, unless
   * JANUS_REQUIRE_VERIFIED_EMAIL: then no tokens, and a taken address answers as a new one.
   */
  register(input: RegistrationInput): Promise<Registration>;
  /** An operator's account creation (the CLI): any existing role. */
  createAccount(input: RegistrationInput): Promise<User>;
  login(email: string, password: string): Promise<Authentication>;
  /**
   * Checks the current password, stores the new one, ends every session and opens a new one,
   * proven as the caller's was (`amr`): a second factor stays on and stays proven. An account
   * without a password (signed up at a provider) gets its first one: no current password is
   * asked, the caller's recent login (@requiresRecentLogin) stands for it.
   */
  changePassword(userId: string, currentPassword: string | null | undefined, newPassword: string, amr: readonly string[]): Promise<Authentication>;
  getUser(id: string): Promise<User>;
  listUsers(first: number | null | undefined, after: string | null | undefined): Promise<Page<User>>;
}

const ROLE_NAME_MAX_LENGTH = 64;

export function createAccountService(deps: {
  orm: MikroORM;
  passwords: PasswordHasher;
  tokens: Pick<TokenService, 'startSession' | 'revokeEverything'>;
  mfa: Pick<MfaService, 'startChallenge'>;
  audit: Pick<AuditLog, 'record' | 'recordAlone'>;
  mail: AccountMail;
  /**
   * Whom login lets hold a session (disabled users never; unconfirmed ones with
   * JANUS_REQUIRE_VERIFIED_EMAIL, when registration opens no session either).
   */
  sessionRule: SessionRule;
}): AccountService {
  const { orm, passwords, tokens, mfa, audit, mail, sessionRule } = deps;

  /** The registration's fields as stored (validated and normalised), the password still plain. */
  function parseRegistration(input: RegistrationInput) {
    return {
      email: normalizeEmail(input.email),
      password: validatePassword(input.password),
      firstName: normalizeName('firstName', input.firstName),
      lastName: normalizeName('lastName', input.lastName),
      phoneNumber: normalizePhoneNumber(input.phoneNumber),
      roleName: input.role.trim().slice(0, ROLE_NAME_MAX_LENGTH),
    };
  }
  type Parsed = ReturnType<typeof parseRegistration>;

  async function allowedRole(em: EntityManager, roleName: string, mayTake: (role: Role) => boolean): Promise<Role> {
    const role = await em.findOne(Role, { name: roleName });
    if (!role || !mayTake(role)) throw new RoleNotAllowedError(roleName);
    return role;
  }

  /**
   * Validates, hashes, then writes the user and whatever `afterCreate` adds in one transaction:
   * if any step fails, no user row remains. A taken email is EMAIL_TAKEN.
   */
  async function createUser<T>(
    fields: Parsed,
    mayTake: (role: Role) => boolean,
    afterCreate: (em: EntityManager, user: User) => Promise<T>,
  ): Promise<T> {
    const { email, password, firstName, lastName, phoneNumber, roleName } = fields;
    // Hash before the transaction opens: a transaction held across a bcrypt round would block
    // the embedded database (one backend) for every other request.
    const passwordHash = await passwords.hash(password);
    try {
      const created = await orm.em.fork().transactional(async (em) => {
        const role = await allowedRole(em, roleName, mayTake);
        const user = em.create(User, { email, passwordHash, firstName, lastName, phoneNumber, role });
        audit.record(em, 'registration', user.id);
        if (await mail.verification(em, user)) audit.record(em, 'email.verification_sent', user.id);
        return afterCreate(em, user);
      });
      mail.committed();
      return created;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
  }

  const selfAssignable = (role: Role) => role.selfAssignable;

  /**
   * Registering a taken address while unconfirmed accounts get no session (docs/enumeration.md):
   * the owner is told by mail, and the caller gets what a new account would get — the same
   * shape, a decoy id that is not the owner's, no tokens — after the same bcrypt round.
   */
  async function answerAsNew(fields: Parsed): Promise<Registration> {
    const { email, firstName, lastName, phoneNumber, roleName } = fields;
    const role = await orm.em.fork().transactional(async (em) => {
      const allowed = await allowedRole(em, roleName, selfAssignable);
      const owner = await em.findOne(User, { email });
      if (owner) {
        await mail.registrationAttempt(em, owner);
        audit.record(em, 'registration.duplicate', owner.id);
      }
      return allowed;
    });
    mail.committed();
    const user: UserView = {
      id: randomUUID(),
      email,
      firstName,
      lastName,
      phoneNumber,
      role,
      createdAt: new Date(),
      mfaEnabled: false,
      disabled: false,
      emailVerified: false,
    };
    return unconfirmed(user);
  }

  async function register(input: RegistrationInput): Promise<Registration> {
    const fields = parseRegistration(input);
    if (!sessionRule.verifiedEmailRequired) return createUser(fields, selfAssignable, (em, user) => tokens.startSession(em, user));
    try {
      return await createUser(fields, selfAssignable, async (em, user) => {
        await em.flush();
        return unconfirmed(user);
      });
    } catch (error) {
      if (error instanceof EmailTakenError) return answerAsNew(fields);
      throw error;
    }
  }

  const createAccount = (input: RegistrationInput): Promise<User> =>
    createUser(parseRegistration(input), () => true, async (em, user) => {
      await em.flush();
      return user;
    });

  async function login(rawEmail: string, rawPassword: string): Promise<Authentication> {
    const password = normalizePassword(rawPassword);
    // A malformed email or an over-long password cannot match any account (bcrypt would compare
    // only the first 72 bytes): same answer, same cost as an unknown email.
    const email = tryNormalizeEmail(rawEmail);
    const em = orm.em.fork();
    const user = email && fitsBcrypt(password)
      ? await em.findOne(User, { email }, { populate: ['role'] })
      : null;
    if (!user) {
      await passwords.verifyNothing(password);
      await audit.recordAlone('login.failure', null);
      throw new InvalidCredentialsError();
    }
    if (!(await isPasswordOf(passwords, password, user.passwordHash))) {
      await audit.recordAlone('login.failure', user.id);
      throw new InvalidCredentialsError();
    }
    // Only now, after the right password: a guesser learns nothing about the account. Checked
    // before the second factor, so that no challenge is made for whom it could not complete.
    const refusal = sessionRule.refusalOf(user);
    if (refusal) {
      await audit.recordAlone(loginRefusalEvent(refusal), user.id);
      throw refusal;
    }
    if (user.mfaEnabled) {
      // The password alone issues no token: only the mfaToken, which verifyMfa completes with a code.
      throw new MfaRequiredError(await em.transactional((tx) => mfa.startChallenge(tx, user)));
    }
    return em.transactional((tx) => {
      audit.record(tx, 'login.success', user.id);
      return tokens.startSession(tx, user);
    });
  }

  async function changePassword(userId: string, currentPassword: string, newPassword: string, amr: readonly string[]): Promise<Authentication> {
    const password = validatePassword(newPassword, 'newPassword');
    const current = await findUser(orm.em.fork(), userId);
    if (!current) throw new UnauthenticatedError();
    const hadPassword = !!current.passwordHash;
    if (hadPassword && !(await isPasswordOf(passwords, currentPassword ?? '', current.passwordHash))) {
      await audit.recordAlone('password.failure', current.id);
      throw new InvalidCredentialsError();
    }
    const passwordHash = await passwords.hash(password);
    const changed = await orm.em.fork().transactional(async (em) => {
      const user = await findUserForUpdate(em, userId);
      if (!user) throw new UnauthenticatedError();
      // A first password set meanwhile by another request: this one proved nothing about it.
      if (!!user.passwordHash !== hadPassword) throw new InvalidCredentialsError();
      user.passwordHash = passwordHash;
      await tokens.revokeEverything(em, user);
      audit.record(em, 'password.change', user.id);
      mail.passwordChanged(em, user);
      return tokens.startSession(em, user, amr);
    });
    mail.committed();
    return changed;
  }

  async function getUser(id: string): Promise<User> {
    const user = await findUser(orm.em.fork(), id);
    if (!user) throw new NotFoundError('No user with this id');
    return user;
  }

  async function listUsers(first: number | null | undefined, after: string | null | undefined): Promise<Page<User>> {
    const size = pageSize(first);
    const where = after ? { id: { $gt: decodeCursor(after) } } : {};
    const rows = await orm.em.fork().find(User, where, { orderBy: { id: 'asc' }, limit: size + 1, populate: ['role'] });
    return toPage(rows, size);
  }

  return { register, createAccount, login, changePassword, getUser, listUsers };
}
