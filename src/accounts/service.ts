import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import { Role } from '../roles/role.entity.ts';
import { RoleNotAllowedError } from '../roles/errors.ts';
import { permissionsOf } from '../roles/permissions.ts';
import type { TokenService } from '../tokens/service.ts';
import { EmailTakenError, InvalidCredentialsError } from './errors.ts';
import type { PasswordHasher } from './passwords.ts';
import { User } from './user.entity.ts';
import {
  PASSWORD_MAX_BYTES,
  normalizeEmail,
  normalizeName,
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

export interface Authentication {
  user: User;
  token: string;
  refreshToken: string;
  permissions: string[];
}

export interface AccountService {
  register(input: RegistrationInput): Promise<Authentication>;
  login(email: string, password: string): Promise<Authentication>;
}

const ROLE_NAME_MAX_LENGTH = 64;

export function createAccountService(deps: { orm: MikroORM; passwords: PasswordHasher; tokens: TokenService }): AccountService {
  const { orm, passwords, tokens } = deps;

  async function register(input: RegistrationInput): Promise<Authentication> {
    const email = normalizeEmail(input.email);
    const password = validatePassword(input.password);
    const firstName = normalizeName('firstName', input.firstName);
    const lastName = normalizeName('lastName', input.lastName);
    const phoneNumber = normalizePhoneNumber(input.phoneNumber);
    const roleName = input.role.trim();
    if (roleName.length > ROLE_NAME_MAX_LENGTH) throw new RoleNotAllowedError(roleName.slice(0, ROLE_NAME_MAX_LENGTH));

    // Hash before the transaction opens: a transaction held across a bcrypt round would block
    // the embedded database (one backend) for every other request.
    const passwordHash = await passwords.hash(password);
    try {
      return await orm.em.fork().transactional(async (em) => {
        const role = await em.findOne(Role, { name: roleName });
        if (!role || !role.selfAssignable) throw new RoleNotAllowedError(roleName);
        const user = em.create(User, { email, passwordHash, firstName, lastName, phoneNumber, role });
        const pair = await tokens.startSession(em, user);
        return { user, ...pair, permissions: permissionsOf(role) };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
  }

  async function login(rawEmail: string, password: string): Promise<Authentication> {
    // A malformed email or an over-long password cannot match any account (bcrypt would compare
    // only the first 72 bytes): same answer, same cost as an unknown email.
    const email = tryNormalizeEmail(rawEmail);
    const em = orm.em.fork();
    const user = email && Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES
      ? await em.findOne(User, { email }, { populate: ['role'] })
      : null;
    if (!user) {
      await passwords.verifyNothing(password);
      throw new InvalidCredentialsError();
    }
    if (!(await passwords.verify(password, user.passwordHash))) throw new InvalidCredentialsError();
    const pair = await em.transactional((tx) => tokens.startSession(tx, user));
    return { user, ...pair, permissions: permissionsOf(user.role) };
  }

  return { register, login };
}
