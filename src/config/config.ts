import os from 'node:os';
import path from 'node:path';
import { CLAIM_SHAPES, type ClaimShape } from '../auth/claim-shapes.ts';
import type { JwtAlgorithm } from '../auth/keys.ts';
import { parseEncryptionKey } from '../mfa/encryption.ts';
import type { WebAuthnSettings } from '../passkeys/settings.ts';
import type { Rate, RateLimitSettings } from '../ratelimit/plugin.ts';
import { isLoopbackUrl, type SignInProviderSettings, type SignInSettings } from '../sign-in/providers.ts';
import { ConfigError } from '../shared/config-error.ts';
import { unsafeTextIn } from '../shared/text-rule.ts';

export { ConfigError };


export interface Config extends RateLimitSettings {
  port: number;
  host: string;
  /**
   * Where clients reach this Janus (JANUS_PUBLIC_URL): the OpenID Provider's issuer. Unset: the
   * listening address, `http://<host>:<port>`.
   */
  publicUrl: string | undefined;
  /** Unset means: start the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  jwt: {
    algorithm: JwtAlgorithm;
    privateKey: string | undefined;
    /**
     * The RS256 key held beside the signing key (OpenID Connect's ID tokens need one). With
     * JANUS_JWT_ALG=RS256 it is the signing key: both fields then hold the same text.
     */
    rsaPrivateKey: string | undefined;
    /** Keys that still verify but no longer sign: the previous keys during a rotation. */
    verifyKeys: string | undefined;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    /** Claim sets added to access tokens for other verifiers (e.g. Hasura's). */
    claimShapes: ClaimShape[];
  };
  /** Idle timeout: each rotation's refresh token lives this long. */
  refreshTokenTtlSeconds: number;
  /** Absolute lifetime of a login session, however often it is refreshed. */
  sessionMaxAgeSeconds: number;
  /** A rotated refresh token presented again within this many seconds gets its successor (0: never). */
  refreshReuseIntervalSeconds: number;
  bcryptCost: number;
  /** Hashes that may wait for a bcrypt slot before more are refused with SERVICE_UNAVAILABLE. */
  bcryptQueue: number;
  logLevel: string;
  /** NODE_ENV=production: explorers and introspection default to off, suggestions are hidden. */
  production: boolean;
  graphiql: boolean;
  introspection: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** JANUS_LOGIN_RATE_LIMIT is unset outside production: the looser development default applies (the start banner says so). */
  developmentLoginRateLimit: boolean;
  /** Unset: rate-limit counters live in each process's memory. */
  redisUrl: string | undefined;
  /** Worker processes serving the port (node:cluster); 1 serves from this process. */
  workers: number;
  cors: { origins: string[]; credentials: boolean };
  /** Bearer token /metrics asks for; unset: /metrics is open (keep it off the public network). */
  metricsToken: string | undefined;
  /** How long a client may take to send a whole request (headers and body), and its headers alone. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** Encrypts TOTP secrets at rest (AES-256-GCM). */
  encryption: {
    /** 32 bytes. Unset (outside production): generated once into the data folder. */
    key: Buffer | undefined;
    /** Keys from before a rotation: they decrypt, never encrypt. */
    previousKeys: Buffer[];
  };
  /** The issuer an authenticator app shows beside the account (the otpauth URI's `issuer`). */
  totpIssuer: string;
  /** Wrong second-factor codes per account in a window, beyond which its second factor answers RATE_LIMITED. */
  mfaFailureLimit: Rate;
  /** Enrolling or removing a second factor and changing the password need a login at most this old. */
  reauthMaxAgeSeconds: number;
  /**
   * The operator declares one instance (JANUS_SINGLE_INSTANCE): only then may production with a
   * database server sign with a key generated into this machine's data folder.
   */
  singleInstance: boolean;
  mail: MailConfig;
  /** Sign-in at identity providers: JANUS_SIGN_IN_PROVIDERS and JANUS_SIGN_IN_REDIRECT_URIS. */
  signIn: SignInSettings;
  /** Passkeys (JANUS_WEBAUTHN_*); undefined: passkeys are off (production without JANUS_WEBAUTHN_RP_ID). */
  webauthn: WebAuthnSettings | undefined;
  /** Audit events older than this many days are deleted by the housekeeping job; unset: kept forever. */
  auditRetentionDays: number | undefined;
}

export interface MailConfig {
  /** Unset: .eml files under `dataDir`/mail outside production, no mail at all in production. */
  smtpUrl: string | undefined;
  from: string;
  /** The front end that receives the links, without a trailing slash. */
  appUrl: string;
  resetTokenTtlSeconds: number;
  verifyTokenTtlSeconds: number;
  /** loginUser refuses an account whose address is not confirmed; registerUser opens no session. */
  requireVerifiedEmail: boolean;
  /** At most one mail of each kind anyone can cause per address per this many seconds (0: off). */
  minIntervalSeconds: number;
  /** Templates that replace the built-in ones file by file. */
  templatesDir: string | undefined;
}

/** How mail leaves: over SMTP when configured, else as files outside production, else not at all. */
export function mailDeliveryOf(config: Config): 'smtp' | 'file' | 'disabled' {
  if (config.mail.smtpUrl) return 'smtp';
  return config.production ? 'disabled' : 'file';
}


type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL (expected postgres://user@host:port/database)');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL, got "${protocol}"`);
  }
  return raw;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function rate(env: Env, name: string, fallback: string): Rate {
  const raw = env[name] || fallback;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const max = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || max < 1 || windowSeconds < 1) {
    throw new ConfigError(`${name} must be ATTEMPTS/SECONDS with both at least 1, e.g. 10/300, got "${raw}"`);
  }
  return { max, windowSeconds };
}

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  if (!/^rediss?:\/\/\S+$/.test(raw)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  return raw;
}

function origins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must list origins such as https://app.example.com, got "${origin}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(`${name} must list exact origins (scheme://host[:port], no path or trailing slash), got "${origin}"`);
    }
    return origin;
  });
}
/** How to make a signing key for each algorithm, for the one line that asks for one. */
const KEY_RECIPES: Readonly<Record<JwtAlgorithm, string>> = {
  EdDSA: 'openssl genpkey -algorithm ed25519',
  ES256: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256',
  RS256: 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048',
  HS256: 'openssl rand -base64 48',
};

function encryption(env: Env, production: boolean): Config['encryption'] {
  const raw = env.JANUS_ENCRYPTION_KEY;
  if (production && !raw) {
    throw new ConfigError('JANUS_ENCRYPTION_KEY is required in production (32 bytes, base64 or hex; e.g. `openssl rand -base64 32`)');
  }
  const previous = (env.JANUS_ENCRYPTION_KEYS_PREVIOUS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  return {
    key: raw ? parseEncryptionKey('JANUS_ENCRYPTION_KEY', raw) : undefined,
    previousKeys: previous.map((key) => parseEncryptionKey('JANUS_ENCRYPTION_KEYS_PREVIOUS', key)),
  };
}

function claimShapes(env: Env): ClaimShape[] {
  const names = (env.JANUS_JWT_CLAIMS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(CLAIM_SHAPES as readonly string[]).includes(name)) {
      throw new ConfigError(`JANUS_JWT_CLAIMS must list claim shapes from ${CLAIM_SHAPES.join(', ')}, got "${name}"`);
    }
  }
  return [...new Set(names as ClaimShape[])];
}

function smtpUrl(env: Env): string | undefined {
  const raw = env.JANUS_SMTP_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('JANUS_SMTP_URL is not a valid URL (expected smtp://user:password@host:port or smtps://…)');
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError(`JANUS_SMTP_URL must be an smtp:// or smtps:// URL with a host, got "${url.protocol}"`);
  }
  return raw;
}

function appUrl(env: Env): string {
  const raw = text(env, 'JANUS_APP_URL', 'http://localhost:3000');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`JANUS_APP_URL is not a valid URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`JANUS_APP_URL must be an http(s) URL, got "${raw}"`);
  if (url.search || url.hash) throw new ConfigError('JANUS_APP_URL must not have a query or fragment: the links add their own');
  return raw.replace(/\/+$/, '');
}

function publicUrl(env: Env): string | undefined {
  const raw = env.JANUS_PUBLIC_URL;
  if (raw === undefined || raw === '') return undefined;
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`JANUS_PUBLIC_URL must be an http(s) URL such as https://auth.example.com, got "${raw}"`);
  }
  // The issuer of ID tokens: compared character for character by every client.
  if (url.origin !== raw) throw new ConfigError(`JANUS_PUBLIC_URL must be an origin only (scheme://host[:port], no path or trailing slash), got "${raw}"`);
  return raw;
}

function mailFrom(env: Env): string {
  const raw = text(env, 'JANUS_MAIL_FROM', 'Janus <janus@localhost>');
  // A display name and an address, or an address: never a second header smuggled in.
  if (/[\r\n]/.test(raw) || !/^([^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(raw.trim())) {
    throw new ConfigError(`JANUS_MAIL_FROM must be an address, optionally with a name (Name <address>), got "${raw}"`);
  }
  return raw.trim();
}

/** An issuer or a GitHub Enterprise Server: https, or http to this machine outside production (a provider the tests start). */
function providerUrl(where: string, raw: unknown, production: boolean): string {
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  const allowed = url?.protocol === 'https:' || (url?.protocol === 'http:' && !production && isLoopbackUrl(url));
  if (!url || !allowed || url.search || url.hash) {
    throw new ConfigError(`${where} must be an https:// URL without query or fragment (http:// only to localhost outside production), got ${JSON.stringify(raw)}`);
  }
  return String(raw).replace(/\/+$/, '');
}

const PROVIDER_ID_SHAPE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const OPENID_KEYS = ['id', 'issuer', 'clientId', 'clientSecret', 'scopes'];
const GITHUB_KEYS = ['id', 'clientId', 'clientSecret', 'baseUrl'];

function signInProvider(entry: unknown, index: number, production: boolean): SignInProviderSettings {
  const where = `JANUS_SIGN_IN_PROVIDERS[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(`${where} must be an object such as {"id":"google","issuer":"https://accounts.google.com","clientId":"…","clientSecret":"…","scopes":["openid","email","profile"]}`);
  }
  const fields = entry as Record<string, unknown>;
  const { id, clientId, clientSecret } = fields;
  if (typeof id !== 'string' || !PROVIDER_ID_SHAPE.test(id)) {
    throw new ConfigError(`${where}.id must be 1 to 64 lower-case letters, digits, - or _, got ${JSON.stringify(id)}`);
  }
  for (const [name, value] of [['clientId', clientId], ['clientSecret', clientSecret]] as const) {
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${where} (${id}).${name} must be a non-empty string`);
  }
  const known = id === 'github' ? GITHUB_KEYS : OPENID_KEYS;
  const unknown = Object.keys(fields).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new ConfigError(`${where} (${id}) has unknown keys ${unknown.join(', ')}; allowed: ${known.join(', ')}`);
  if (id === 'github') {
    const baseUrl = fields.baseUrl === undefined ? undefined : providerUrl(`${where} (github).baseUrl`, fields.baseUrl, production);
    return { kind: 'github', id, clientId: clientId as string, clientSecret: clientSecret as string, baseUrl };
  }
  const scopes = fields.scopes ?? ['openid', 'email', 'profile'];
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)) || !scopes.includes('openid')) {
    throw new ConfigError(`${where} (${id}).scopes must be a list of scopes including "openid", e.g. ["openid","email","profile"]`);
  }
  const issuer = providerUrl(`${where} (${id}).issuer`, fields.issuer, production);
  return { kind: 'openid', id, issuer, clientId: clientId as string, clientSecret: clientSecret as string, scopes: scopes as string[] };
}

function signIn(env: Env, production: boolean): SignInSettings {
  const raw = env.JANUS_SIGN_IN_PROVIDERS;
  let entries: unknown = [];
  if (raw !== undefined && raw.trim() !== '') {
    try {
      entries = JSON.parse(raw);
    } catch {
      throw new ConfigError('JANUS_SIGN_IN_PROVIDERS is not valid JSON: it must be a JSON list of providers (see docs/operations.md)');
    }
  }
  if (!Array.isArray(entries)) throw new ConfigError('JANUS_SIGN_IN_PROVIDERS must be a JSON list of providers (see docs/operations.md)');
  const providers = entries.map((entry: unknown, index) => signInProvider(entry, index, production));
  const ids = providers.map((provider) => provider.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new ConfigError(`JANUS_SIGN_IN_PROVIDERS lists the provider "${repeated}" twice`);
  const redirectUris = (env.JANUS_SIGN_IN_REDIRECT_URIS ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const uri of redirectUris) {
    let url: URL | undefined;
    try {
      url = new URL(uri);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.hash) {
      throw new ConfigError(`JANUS_SIGN_IN_REDIRECT_URIS must list absolute http(s) URLs without a fragment, got "${uri}"`);
    }
  }
  if (providers.length > 0 && redirectUris.length === 0) {
    throw new ConfigError('JANUS_SIGN_IN_PROVIDERS needs JANUS_SIGN_IN_REDIRECT_URIS: the pages of your app the providers send the browser back to');
  }
  return { providers, redirectUris };
}

/** A relying party id is a domain name (no scheme, port or path); an IP address cannot be one. */
const RP_ID_SHAPE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Browsers run WebAuthn only in a secure context: https, or http on localhost. */
const isLocalhost = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/**
 * Passkeys are bound to their relying party id for good, so production takes none by default:
 * without JANUS_WEBAUTHN_RP_ID they are off. Elsewhere the front end of JANUS_APP_URL is the
 * default (http://localhost:3000: rp id `localhost`).
 */
function webauthn(env: Env, production: boolean, app: string): WebAuthnSettings | undefined {
  const rpIdSet = text(env, 'JANUS_WEBAUTHN_RP_ID', '').trim().toLowerCase();
  const originsSet = origins(env, 'JANUS_WEBAUTHN_ORIGINS');
  if (production && !rpIdSet && originsSet.length === 0) return undefined;
  if (production && (!rpIdSet || originsSet.length === 0)) {
    throw new ConfigError('JANUS_WEBAUTHN_RP_ID and JANUS_WEBAUTHN_ORIGINS go together in production: set both to turn passkeys on, or neither');
  }
  const appUrl = new URL(app);
  const rpId = rpIdSet || appUrl.hostname;
  if (!RP_ID_SHAPE.test(rpId)) {
    // An app on an IP address cannot have passkeys: off, unless the operator named an rp id.
    if (!rpIdSet) return undefined;
    throw new ConfigError(`JANUS_WEBAUTHN_RP_ID must be a domain name such as example.com (no scheme, port or path), got "${rpIdSet}"`);
  }
  const allowed = originsSet.length > 0 ? originsSet : [appUrl.origin];
  for (const origin of allowed) {
    const { hostname, protocol } = new URL(origin);
    if (hostname !== rpId && !hostname.endsWith(`.${rpId}`)) {
      throw new ConfigError(`JANUS_WEBAUTHN_ORIGINS: ${origin} is not on ${rpId} (JANUS_WEBAUTHN_RP_ID) or a subdomain of it`);
    }
    if (protocol !== 'https:' && !isLocalhost(hostname)) {
      throw new ConfigError(`JANUS_WEBAUTHN_ORIGINS: ${origin} must be https (browsers allow passkeys over http only on localhost)`);
    }
  }
  const rpName = text(env, 'JANUS_WEBAUTHN_RP_NAME', 'Janus').trim();
  if (!rpName || rpName.length > 64 || unsafeTextIn(rpName)) throw new ConfigError('JANUS_WEBAUTHN_RP_NAME must be one line of 1 to 64 characters');
  return { rpId, rpName, origins: allowed };
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

export function loadConfig(env: Env = process.env): Config {
  const config = readConfig(env);
  if (config.workers > 1 && !config.databaseUrl) {
    throw new ConfigError('JANUS_WORKERS above 1 needs DATABASE_URL: the embedded database belongs to one process');
  }
  if (config.production && config.mail.requireVerifiedEmail && !config.mail.smtpUrl) {
    throw new ConfigError('JANUS_REQUIRE_VERIFIED_EMAIL=true in production needs JANUS_SMTP_URL: nobody could confirm an address');
  }
  if (config.jwt.accessTokenTtlSeconds > config.refreshTokenTtlSeconds) {
    // Expired sessions are purged once their last refresh token expires: an access token must
    // not outlive that.
    throw new ConfigError('JANUS_ACCESS_TOKEN_TTL must not exceed JANUS_REFRESH_TOKEN_TTL');
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError('JANUS_HEADERS_TIMEOUT must not exceed JANUS_REQUEST_TIMEOUT');
  }
  if (config.refreshTokenTtlSeconds > config.sessionMaxAgeSeconds) {
    // An idle timeout longer than the absolute one would never apply: surely a mistake.
    throw new ConfigError('JANUS_REFRESH_TOKEN_TTL must not exceed JANUS_SESSION_MAX_AGE');
  }
  if (config.production && config.databaseUrl && !config.singleInstance) {
    // Each instance would generate its own keys, and tokens from one would fail on another.
    if (!config.jwt.privateKey) throw missingKey('JANUS_JWT_PRIVATE_KEY', config.jwt.algorithm);
    if (!config.jwt.rsaPrivateKey) throw missingKey('JANUS_JWT_RSA_PRIVATE_KEY', 'RS256');
  }
  return config;
}

function missingKey(variable: string, alg: JwtAlgorithm): ConfigError {
  return new ConfigError(
    `${variable} is required in production with DATABASE_URL so that every instance signs with the same key: make one with \`${KEY_RECIPES[alg]}\` (see docs/keys.md), or set JANUS_SINGLE_INSTANCE=true to keep a generated key in JANUS_DATA_DIR`,
  );
}

/** With JANUS_JWT_ALG=RS256 the signing key is the RSA key: either variable may hold it, not two different keys. */
function jwtKeys(env: Env, algorithm: JwtAlgorithm): Pick<Config['jwt'], 'privateKey' | 'rsaPrivateKey'> {
  const privateKey = env.JANUS_JWT_PRIVATE_KEY || undefined;
  const rsaPrivateKey = env.JANUS_JWT_RSA_PRIVATE_KEY || undefined;
  if (algorithm !== 'RS256') return { privateKey, rsaPrivateKey };
  if (privateKey && rsaPrivateKey && privateKey.trim() !== rsaPrivateKey.trim()) {
    throw new ConfigError('JANUS_JWT_ALG=RS256 signs with the RSA key: set it in JANUS_JWT_PRIVATE_KEY or JANUS_JWT_RSA_PRIVATE_KEY, not two different keys');
  }
  const key = privateKey ?? rsaPrivateKey;
  return { privateKey: key, rsaPrivateKey: key };
}

/**
 * bcrypt runs one hash per core; this many more per core may wait (at cost 12, ~270 ms a hash,
 * about two seconds of queue) before further ones are refused.
 */
const BCRYPT_QUEUE_PER_CORE = 8;

/**
 * Per address: 10 guesses per 5 minutes in production. Outside it, a newcomer trying a few wrong
 * passwords after the tour must not be locked out, so the default is looser there.
 */
export const LOGIN_RATE_LIMIT_DEFAULT = { production: '10/300', development: '100/300' } as const;

/** The per-email bucket is larger, so that strangers' wrong guesses do not lock the owner out at once. */
export const EMAIL_RATE_FACTOR = 10;

function readConfig(env: Env): Config {
  const production = env.NODE_ENV === 'production';
  const app = appUrl(env);
  const jwtAlgorithm = oneOf(env, 'JANUS_JWT_ALG', ['EdDSA', 'ES256', 'RS256', 'HS256'] as const, 'EdDSA');
  const loginRateLimit = rate(env, 'JANUS_LOGIN_RATE_LIMIT', LOGIN_RATE_LIMIT_DEFAULT[production ? 'production' : 'development']);
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: text(env, 'HOST', '127.0.0.1'),
    publicUrl: publicUrl(env),
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(text(env, 'JANUS_DATA_DIR', './.janus-data')),
    jwt: {
      algorithm: jwtAlgorithm,
      ...jwtKeys(env, jwtAlgorithm),
      verifyKeys: env.JANUS_JWT_VERIFY_KEYS || undefined,
      issuer: text(env, 'JANUS_JWT_ISSUER', 'janus'),
      audience: text(env, 'JANUS_JWT_AUDIENCE', 'janus'),
      accessTokenTtlSeconds: integer(env, 'JANUS_ACCESS_TOKEN_TTL', 900, 1, 86_400),
      claimShapes: claimShapes(env),
    },
    refreshTokenTtlSeconds: integer(env, 'JANUS_REFRESH_TOKEN_TTL', 604_800, 1, 31_536_000),
    sessionMaxAgeSeconds: integer(env, 'JANUS_SESSION_MAX_AGE', 2_592_000, 1, 315_360_000),
    refreshReuseIntervalSeconds: integer(env, 'JANUS_REFRESH_REUSE_INTERVAL', 10, 0, 300),
    bcryptCost: integer(env, 'BCRYPT_COST', 12, 4, 15),
    bcryptQueue: integer(env, 'JANUS_BCRYPT_QUEUE', BCRYPT_QUEUE_PER_CORE * os.availableParallelism(), 0, 100_000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    production,
    graphiql: flag(env, 'JANUS_GRAPHIQL', !production),
    introspection: flag(env, 'JANUS_INTROSPECTION', !production),
    trustProxy: flag(env, 'JANUS_TRUST_PROXY', false),
    developmentLoginRateLimit: !production && !env.JANUS_LOGIN_RATE_LIMIT,
    loginRateLimit,
    refreshRateLimit: rate(env, 'JANUS_REFRESH_RATE_LIMIT', '150/300'),
    loginEmailRateLimit: rate(
      env,
      'JANUS_LOGIN_EMAIL_RATE_LIMIT',
      `${loginRateLimit.max * EMAIL_RATE_FACTOR}/${loginRateLimit.windowSeconds}`,
    ),
    redisUrl: redisUrl(env),
    workers: env.JANUS_WORKERS === 'auto' ? os.availableParallelism() : integer(env, 'JANUS_WORKERS', 1, 1, 64),
    cors: { origins: origins(env, 'JANUS_CORS_ORIGINS'), credentials: flag(env, 'JANUS_CORS_CREDENTIALS', false) },
    metricsToken: env.JANUS_METRICS_TOKEN || undefined,
    requestTimeoutMs: integer(env, 'JANUS_REQUEST_TIMEOUT', 10, 1, 600) * 1000,
    headersTimeoutMs: integer(env, 'JANUS_HEADERS_TIMEOUT', 5, 1, 600) * 1000,
    encryption: encryption(env, production),
    totpIssuer: text(env, 'JANUS_TOTP_ISSUER', 'Janus'),
    mfaFailureLimit: rate(env, 'JANUS_MFA_FAILURE_LIMIT', '20/900'),
    reauthMaxAgeSeconds: integer(env, 'JANUS_REAUTH_MAX_AGE', 600, 1, 86_400),
    singleInstance: flag(env, 'JANUS_SINGLE_INSTANCE', false),
    signIn: signIn(env, production),
    webauthn: webauthn(env, production, app),
    auditRetentionDays: env.JANUS_AUDIT_RETENTION_DAYS ? integer(env, 'JANUS_AUDIT_RETENTION_DAYS', 0, 1, 36_500) : undefined,
    mail: {
      smtpUrl: smtpUrl(env),
      from: mailFrom(env),
      appUrl: app,
      resetTokenTtlSeconds: integer(env, 'JANUS_RESET_TOKEN_TTL', 3600, 1, 86_400),
      verifyTokenTtlSeconds: integer(env, 'JANUS_VERIFY_TOKEN_TTL', 86_400, 1, 2_592_000),
      requireVerifiedEmail: flag(env, 'JANUS_REQUIRE_VERIFIED_EMAIL', false),
      minIntervalSeconds: integer(env, 'JANUS_MAIL_MIN_INTERVAL', 60, 0, 86_400),
      templatesDir: env.JANUS_MAIL_TEMPLATES_DIR ? path.resolve(env.JANUS_MAIL_TEMPLATES_DIR) : undefined,
    },
  };
}
