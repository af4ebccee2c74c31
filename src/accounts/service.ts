import { UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import { MfaRequiredError, UnauthenticatedError } from '../auth/errors.ts';
import type { MfaService } from '../mfa/service.ts';
import { Role } from '../roles/role.entity.ts';
import { RoleNotAllowedError } from '../roles/errors.ts';
import { NotFoundError } from '../shared/errors.ts';
import { decodeCursor, pageSize, toPage, type Page } from '../shared/pagination.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import type { AccountMail } from './account-mail.ts';
import { AccountDisabledError, EmailTakenError, InvalidCredentialsError } from './errors.ts';
import { isPasswordOf, type PasswordHasher } from './passwords.ts';
import { findUser, findUserForUpdate } from './queries.ts';
import type { SessionRule } from './session-rule.ts';
import { User } from './user.entity.ts';
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

export interface AccountService {
  /** Self-service sign-up: only self-assignable roles. */
  register(input: RegistrationInput): Promise<Authentication>;
  /** An operator's account creation (the CLI): any existing role. */
  createAccount(input: RegistrationInput): Promise<User>;
  login(email: string, password: string): Promise<Authentication>;
  /**
   * Checks the current password, stores the new one, ends every session and opens a new one,
   * proven as the caller's was (`amr`): a second factor stays on and stays proven.
   */
  changePassword(userId: string, currentPassword: string, newPassword: string, amr: readonly string[]): Promise<Authentication>;
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
  /** Whom login lets hold a session (disabled users never; unconfirmed ones with JANUS_REQUIRE_VERIFIED_EMAIL). */
  sessionRule: SessionRule;
}): AccountService {
  const { orm, passwords, tokens, mfa, audit, mail, sessionRule } = deps;

  /**
   * Validates, hashes, then writes the user and whatever `afterCreate` adds in one transaction:
   * if any step fails, no user row remains.
   */
  async function createUser<T>(
    input: RegistrationInput,
    mayTake: (role: Role) => boolean,
    afterCreate: (em: EntityManager, user: User) => Promise<T>,
  ): Promise<T> {
    const email = normalizeEmail(input.email);
    const password = validatePassword(input.password);
    const firstName = normalizeName('firstName', input.firstName);
    const lastName = normalizeName('lastName', input.lastName);
    const phoneNumber = normalizePhoneNumber(input.phoneNumber);
    const roleName = input.role.trim().slice(0, ROLE_NAME_MAX_LENGTH);

    // Hash before the transaction opens: a transaction held across a bcrypt round would block
    // the embedded database (one backend) for every other request.
    const passwordHash = await passwords.hash(password);
    try {
      const created = await orm.em.fork().transactional(async (em) => {
        const role = await em.findOne(Role, { name: roleName });
        if (!role || !mayTake(role)) throw new RoleNotAllowedError(roleName);
        const user = em.create(User, { email, passwordHash, firstName, lastName, phoneNumber, role });
        audit.record(em, 'registration', user.id);
        await mail.verification(em, user);
        audit.record(em, 'email.verification_sent', user.id);
        return afterCreate(em, user);
      });
      mail.committed();
      return created;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
  }

  const register = (input: RegistrationInput): Promise<Authentication> =>
    createUser(
      input,
      (role) => role.selfAssignable,
      (em, user) => tokens.startSession(em, user),
    );

  const createAccount = (input: RegistrationInput): Promise<User> =>
    createUser(input, () => true, async (em, user) => {
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
    if (!(await passwords.verify(password, user.passwordHash))) {
      await audit.recordAlone('login.failure', user.id);
      throw new InvalidCredentialsError();
    }
    // Only now, after the right password: a guesser learns nothing about the account. Checked
    // before the second factor, so that no challenge is made for whom it could not complete.
    const refusal = sessionRule.refusalOf(user);
    if (refusal) {
      await audit.recordAlone(refusal instanceof AccountDisabledError ? 'login.disabled' : 'login.failure', user.id);
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
    if (!(await isPasswordOf(passwords, currentPassword, current.passwordHash))) {
      await audit.recordAlone('password.failure', current.id);
      throw new InvalidCredentialsError();
    }
    const passwordHash = await passwords.hash(password);
    const changed = await orm.em.fork().transactional(async (em) => {
      const user = await findUserForUpdate(em, userId);
      if (!user) throw new UnauthenticatedError();
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
