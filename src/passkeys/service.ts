import { createHmac } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG, isoBase64URL } from '@simplewebauthn/server/helpers';
import { LastSignInMethodError } from '../accounts/errors.ts';
import { findUser, findUserForUpdate } from '../accounts/queries.ts';
import { loginRefusalEvent, type SessionRule } from '../accounts/session-rule.ts';
import type { User } from '../accounts/user.entity.ts';
import { normalizeName, tryNormalizeEmail } from '../accounts/validation.ts';
import type { AuditLog } from '../audit/service.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import { NotFoundError } from '../shared/errors.ts';
import { isUuid } from '../shared/uuid.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import { Passkey, PasskeyChallenge } from './entities.ts';
import { InvalidPasskeyChallengeError, InvalidPasskeyError, PasskeysDisabledError, UnverifiedAddressError } from './errors.ts';
import type { WebAuthnSettings } from './settings.ts';

/** What startPasskeyLogin answers: the options for navigator.credentials.get, and the id finishPasskeyLogin quotes. */
export interface PasskeyLoginStart {
  challengeId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

export interface PasskeyService {
  /** Options for navigator.credentials.create, for the user to add a passkey; replaces a pending registration. */
  startRegistration(userId: string): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Checks the browser's answer to the user's pending registration and stores the passkey. */
  finishRegistration(userId: string, response: object, name: string | null | undefined): Promise<Passkey>;
  /** The user's passkeys, oldest first. */
  list(userId: string): Promise<Passkey[]>;
  /** NOT_FOUND unless the passkey is the user's. */
  rename(userId: string, id: string, name: string): Promise<Passkey>;
  /** NOT_FOUND unless the passkey is the user's. */
  remove(userId: string, id: string): Promise<void>;
  /**
   * A login challenge. With an email, the options name that account's passkeys; an address with
   * no account or no passkey gets a decoy, the same on every call, so the answer never tells
   * which. Without one, any passkey of this site may answer (a discoverable credential).
   */
  startLogin(email: string | null | undefined): Promise<PasskeyLoginStart>;
  /** Uses up the challenge, checks the signed answer and opens a session proven by the passkey. */
  finishLogin(challengeId: string, response: object): Promise<Authentication>;
}

/** A challenge lives this long, and the browser is told to wait as long for the user. */
export const CHALLENGE_TTL_SECONDS = 300;
/** The most characters of a credential id (WebAuthn: at most 1023 bytes, base64url). */
const CREDENTIAL_ID_MAX_LENGTH = 1366;
const DEFAULT_NAME = 'Passkey';
/** Decoys look like a common passkey's id (16 bytes) and transports. */
const DECOY_ID_BYTES = 16;
const DECOY_TRANSPORTS = ['hybrid', 'internal'];

type Purpose = 'registration' | 'login';

/**
 * EdDSA, ES256 and RS256 (COSE ids), as the library's default without its probe for post-quantum
 * ML-DSA, which Node answers with an "experimental feature" warning on stderr.
 */
const SUPPORTED_ALGORITHMS = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

/**
 * What a passkey login proved (RFC 8176): possession of a key — hardware-bound (`hwk`) for a
 * single-device passkey, a synced one is held in software (`swk`) — and the user's verification
 * by the authenticator (`user`; a PIN or a biometric, which one is not reported): two factors,
 * so `mfa`, which @requiresMfa accepts (src/auth/access-rules.ts).
 */
export function passkeyAmr(deviceType: string): string[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', 'mfa'];
}

/** The WebAuthn user handle of an account: its id's 16 bytes (no personal data, stable). */
const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));

/** Whether a checked answer's user handle, if it has one, is the account's. */
function handleIsOf(response: AuthenticationResponseJSON, userId: string): boolean {
  const handle = response.response.userHandle;
  return !handle || handle === isoBase64URL.fromBuffer(userHandleOf(userId));
}

/** The statement that uses up a login challenge, whether or not it is still live. */
const CONSUME_LOGIN_SQL = `delete from passkey_challenges where id = ? and purpose = 'login'
  returning challenge, user_id, expires_at > now() as live`;

export function createPasskeyService(deps: {
  orm: MikroORM;
  audit: Pick<AuditLog, 'record' | 'recordAlone'>;
  tokens: Pick<TokenService, 'startSession'>;
  sessionRule: SessionRule;
  /** Undefined: passkeys are off; the operations that would create or use one answer PASSKEYS_DISABLED. */
  webauthn: WebAuthnSettings | undefined;
  /** Mail goes out, so an address can be confirmed: adding a passkey then needs a confirmed one. */
  requireVerifiedAddress: boolean;
  /** Keys the decoys: the same on every instance and across restarts. */
  hmacKey: Buffer;
  /** The user's ways to sign in, every module's counted (src/modules/module.ts): the last is never deleted. */
  signInMethods: (em: EntityManager, userId: string) => Promise<number>;
}): PasskeyService {
  const { orm, audit, tokens, sessionRule, requireVerifiedAddress, hmacKey } = deps;

  function settings(): WebAuthnSettings {
    if (!deps.webauthn) throw new PasskeysDisabledError();
    return deps.webauthn;
  }

  function decoyFor(email: string): { id: string; transports: string[] } {
    const digest = createHmac('sha256', hmacKey).update(`passkey decoy\n${email}`).digest().subarray(0, DECOY_ID_BYTES);
    return { id: isoBase64URL.fromBuffer(new Uint8Array(digest)), transports: DECOY_TRANSPORTS };
  }

  function newChallenge(em: EntityManager, purpose: Purpose, user: User | null, challenge: string): PasskeyChallenge {
    return em.create(PasskeyChallenge, {
      purpose,
      user,
      challenge,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    });
  }

  async function ownPasskey(em: EntityManager, userId: string, id: string): Promise<Passkey> {
    const found = isUuid(id) ? await em.findOne(Passkey, { id, user: userId }) : null;
    if (!found) throw new NotFoundError('No passkey with this id');
    return found;
  }

  /**
   * Runs one of the library's checks: whatever it throws is the browser's answer being wrong
   * (malformed, another origin or rp id, a bad signature, no user verification).
   */
  async function verified<T extends { verified: boolean }>(check: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await check();
      return result.verified ? result : undefined;
    } catch {
      return undefined;
    }
  }

  /** A refused login: audited with the passkey's owner when known, answered alike. */
  async function refuseLogin(userId: string | null): Promise<never> {
    await audit.recordAlone('login.failure', userId);
    throw new InvalidPasskeyError();
  }

  return {
    async startRegistration(userId) {
      const { rpId, rpName } = settings();
      const em = orm.em.fork();
      const user = await findUser(em, userId);
      if (!user) throw new UnauthenticatedError();
      // Whoever registered someone else's address must not keep a way in once its owner takes it back.
      if (requireVerifiedAddress && !user.emailVerified) throw new UnverifiedAddressError();
      const existing = await em.find(Passkey, { user: user.id });
      const options = await generateRegistrationOptions({
        rpName,
        rpID: rpId,
        userName: user.email,
        userID: userHandleOf(user.id),
        userDisplayName: `${user.firstName} ${user.lastName}`,
        timeout: CHALLENGE_TTL_SECONDS * 1000,
        attestationType: 'none',
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports ?? undefined })),
        // A passkey: discoverable (usernameless login) and verifying its user (a second factor in itself).
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      await em.transactional(async (tx) => {
        await tx.nativeDelete(PasskeyChallenge, { user: user.id, purpose: 'registration' });
        newChallenge(tx, 'registration', user, options.challenge);
      });
      return options;
    },

    async finishRegistration(userId, response, rawName) {
      const { rpId, origins } = settings();
      const name = rawName == null || rawName.trim() === '' ? DEFAULT_NAME : normalizeName('name', rawName);
      let challengeFound: boolean | undefined;
      const result = await verified(() =>
        verifyRegistrationResponse({
          // The library checks the shape and throws on anything else.
          response: response as RegistrationResponseJSON,
          // The pending challenge is used up by the check itself: one DELETE, so one answer wins.
          expectedChallenge: async (challenge) => {
            const deleted = await orm.em.fork().nativeDelete(PasskeyChallenge, {
              user: userId,
              purpose: 'registration',
              challenge,
              expiresAt: { $gt: new Date() },
            });
            return (challengeFound = deleted === 1);
          },
          expectedOrigin: origins,
          expectedRPID: rpId,
          requireUserVerification: true,
          supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        }),
      );
      if (challengeFound === false) throw new InvalidPasskeyChallengeError();
      if (!result?.registrationInfo) throw new InvalidPasskeyError();
      const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
      try {
        return await orm.em.fork().transactional(async (em) => {
          const user = await findUserForUpdate(em, userId);
          if (!user) throw new UnauthenticatedError();
          const passkey = em.create(Passkey, {
            user,
            credentialId: credential.id,
            publicKey: isoBase64URL.fromBuffer(credential.publicKey),
            counter: credential.counter,
            transports: credential.transports ?? null,
            deviceType: credentialDeviceType,
            backedUp: credentialBackedUp,
            name,
          });
          audit.record(em, 'passkey.register', user.id);
          await em.flush();
          return passkey;
        });
      } catch (error) {
        // The credential is someone's passkey already.
        if (error instanceof UniqueConstraintViolationException) throw new InvalidPasskeyError();
        throw error;
      }
    },

    list: (userId) => orm.em.fork().find(Passkey, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } }),

    async rename(userId, id, rawName) {
      const name = normalizeName('name', rawName);
      const em = orm.em.fork();
      const passkey = await ownPasskey(em, userId, id);
      passkey.name = name;
      await em.flush();
      return passkey;
    },

    async remove(userId, id) {
      await orm.em.fork().transactional(async (em) => {
        // The user's row lock queues concurrent removals of ways in: none sees another's as still there.
        if (!(await findUserForUpdate(em, userId))) throw new UnauthenticatedError();
        const passkey = await ownPasskey(em, userId, id);
        // An account left with only passkeys (its provider unlinked) keeps its last one.
        if ((await deps.signInMethods(em, userId)) <= 1) throw new LastSignInMethodError();
        em.remove(passkey);
        audit.record(em, 'passkey.delete', userId);
      });
    },

    async startLogin(rawEmail) {
      const { rpId } = settings();
      const em = orm.em.fork();
      let allowCredentials: { id: string; transports?: string[] }[] | undefined;
      let owner: User | null = null;
      if (rawEmail != null && rawEmail.trim() !== '') {
        const email = tryNormalizeEmail(rawEmail);
        const passkeys = email ? await em.find(Passkey, { user: { email } }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
        owner = passkeys[0]?.user ?? null;
        allowCredentials = passkeys.length > 0
          ? passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports ?? undefined }))
          : [decoyFor(email ?? rawEmail.trim().toLowerCase())];
      }
      const options = await generateAuthenticationOptions({
        rpID: rpId,
        allowCredentials,
        userVerification: 'required',
        timeout: CHALLENGE_TTL_SECONDS * 1000,
      });
      const challenge = newChallenge(em, 'login', owner, options.challenge);
      await em.flush();
      return { challengeId: challenge.id, options };
    },

    async finishLogin(challengeId, response) {
      const { rpId, origins } = settings();
      const em = orm.em.fork();
      const [pending] = isUuid(challengeId)
        ? await em.execute<{ challenge: string; user_id: string | null; live: boolean }[]>(CONSUME_LOGIN_SQL, [challengeId])
        : [];
      if (!pending?.live) throw new InvalidPasskeyChallengeError();
      const credentialId = (response as { id?: unknown }).id;
      const passkey = typeof credentialId === 'string' && credentialId.length <= CREDENTIAL_ID_MAX_LENGTH
        ? await em.findOne(Passkey, { credentialId }, { populate: ['user.role'] })
        : null;
      // A challenge made for an email's account is answered by that account's passkey only.
      if (!passkey || (pending.user_id !== null && passkey.user.id !== pending.user_id)) return refuseLogin(null);
      const owner = passkey.user;
      const result = await verified(() =>
        verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: pending.challenge,
          expectedOrigin: origins,
          expectedRPID: rpId,
          // Counter 0 turns the library's own counter check off: the update below makes it, atomically.
          credential: { id: passkey.credentialId, publicKey: isoBase64URL.toBuffer(passkey.publicKey), counter: 0, transports: passkey.transports ?? undefined },
          requireUserVerification: true,
        }),
      );
      // The user handle, when the authenticator sends one, must be the owner's; backup eligibility is
      // fixed when a credential is made, so a change means another authenticator.
      if (!result || !handleIsOf(response as AuthenticationResponseJSON, owner.id) || result.authenticationInfo.credentialDeviceType !== passkey.deviceType) {
        return refuseLogin(owner.id);
      }
      const refusal = sessionRule.refusalOf(owner);
      if (refusal) {
        await audit.recordAlone(loginRefusalEvent(refusal), owner.id);
        throw refusal;
      }
      const { newCounter, credentialBackedUp } = result.authenticationInfo;
      const authentication = await em.transactional(async (tx) => {
        const user = await findUserForUpdate(tx, owner.id);
        if (!user) return undefined;
        // The counter must rise unless the authenticator keeps none (0 both times); a lower or equal
        // one is a cloned authenticator's, or a replayed answer. One conditional update decides,
        // also between two logins racing with the same passkey.
        const updated = await tx.nativeUpdate(
          Passkey,
          { id: passkey.id, counter: newCounter === 0 ? 0 : { $lt: newCounter } },
          { counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: new Date() },
        );
        if (updated !== 1) {
          audit.record(tx, 'passkey.counter_regression', user.id);
          return undefined;
        }
        audit.record(tx, 'login.success', user.id);
        return tokens.startSession(tx, user, passkeyAmr(passkey.deviceType));
      });
      if (!authentication) throw new InvalidPasskeyError();
      return authentication;
    },
  };
}
