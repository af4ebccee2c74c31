import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

/** Runs loadConfig, expecting a ConfigError, and returns it. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('listens on 127.0.0.1:4000', () => {
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
  });

  it('leaves databaseUrl undefined so that the embedded database is used', () => {
    expect(config.databaseUrl).toBeUndefined();
  });

  it('signs EdDSA access tokens for 900 s, issued by and for "janus", with no configured key', () => {
    expect(config.jwt).toEqual({
      algorithm: 'EdDSA',
      privateKey: undefined,
      issuer: 'janus',
      audience: 'janus',
      accessTokenTtlSeconds: 900,
      claimShapes: [],
    });
  });

  it('keeps refresh tokens for 604800 s (7 days) and hashes with bcrypt cost 12', () => {
    expect(config.refreshTokenTtlSeconds).toBe(604_800);
    expect(config.bcryptCost).toBe(12);
  });

  it('ends sessions after 2592000 s (30 days) and answers a replay within 10 s of a rotation with its successor', () => {
    expect(config.sessionMaxAgeSeconds).toBe(2_592_000);
    expect(config.refreshReuseIntervalSeconds).toBe(10);
  });

  it('resolves the default data folder to an absolute path and logs at info', () => {
    expect(config.dataDir).toBe(path.resolve('./.janus-data'));
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.logLevel).toBe('info');
  });

  it('runs the thread pool (bcrypt, WebCrypto) at nice 10, below the event loop', () => {
  });

  it('treats empty strings like unset variables', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', JANUS_JWT_ALG: '', BCRYPT_COST: '', JANUS_JWT_PRIVATE_KEY: '' })).toEqual(
      config,
    );
  });

  it('does not read process.env when given an explicit environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = '5555';
    try {
      expect(loadConfig({}).port).toBe(4000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('loadConfig accepted values', () => {
  it('reads every variable it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://janus@db:5432/janus',
      JANUS_DATA_DIR: '/var/lib/janus',
      JANUS_JWT_ALG: 'HS256',
      JANUS_JWT_PRIVATE_KEY: 'k'.repeat(32),
      JANUS_JWT_RSA_PRIVATE_KEY: 'rsa-pem',
      JANUS_JWT_ISSUER: 'iss',
      JANUS_JWT_AUDIENCE: 'aud',
      JANUS_JWT_CLAIMS: ' hasura ',
      JANUS_ACCESS_TOKEN_TTL: '60',
      JANUS_REFRESH_TOKEN_TTL: '3600',
      JANUS_SESSION_MAX_AGE: '86400',
      JANUS_REFRESH_REUSE_INTERVAL: '5',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
      JANUS_JWT_VERIFY_KEYS: '["' + 'v'.repeat(32) + '"]',
      NODE_ENV: 'production',
      JANUS_GRAPHIQL: 'true',
      JANUS_TRUST_PROXY: '1',
      JANUS_LOGIN_RATE_LIMIT: '5/60',
      JANUS_LOGIN_EMAIL_RATE_LIMIT: '20/120',
      JANUS_BCRYPT_QUEUE: '7',
      JANUS_REFRESH_RATE_LIMIT: '40/60',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JANUS_WORKERS: '3',
      JANUS_CORS_ORIGINS: 'https://app.example.com',
      JANUS_CORS_CREDENTIALS: 'true',
      JANUS_METRICS_TOKEN: 'scrape',
      JANUS_REQUEST_TIMEOUT: '20',
      JANUS_HEADERS_TIMEOUT: '8',
      JANUS_ENCRYPTION_KEY: 'abababababababababababababababababababababababababababababababab',
      JANUS_ENCRYPTION_KEYS_PREVIOUS: ` ${Buffer.alloc(32, 7).toString('base64')} , ${Buffer.alloc(32, 8).toString('base64url')}`,
      JANUS_TOTP_ISSUER: 'Example',
      JANUS_MFA_FAILURE_LIMIT: '10/600',
      JANUS_REAUTH_MAX_AGE: '300',
      JANUS_SINGLE_INSTANCE: 'true',
      JANUS_SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.com:465',
      JANUS_MAIL_FROM: 'Example <accounts@example.com>',
      JANUS_APP_URL: 'https://app.example.com/',
      JANUS_PUBLIC_URL: 'https://auth.example.com',
      JANUS_RESET_TOKEN_TTL: '900',
      JANUS_VERIFY_TOKEN_TTL: '3600',
      JANUS_REQUIRE_VERIFIED_EMAIL: 'true',
      JANUS_MAIL_MIN_INTERVAL: '30',
      JANUS_MAIL_TEMPLATES_DIR: '/etc/janus/mail',
      JANUS_WEBAUTHN_RP_ID: 'Example.com',
      JANUS_WEBAUTHN_RP_NAME: 'Example',
      JANUS_WEBAUTHN_ORIGINS: 'https://app.example.com,https://example.com',
      JANUS_SIGN_IN_PROVIDERS: '[{"id":"github","clientId":"gh","clientSecret":"ghs"}]',
      JANUS_SIGN_IN_REDIRECT_URIS: 'https://app.example.com/signed-in',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://auth.example.com',
      databaseUrl: 'postgresql://janus@db:5432/janus',
      dataDir: '/var/lib/janus',
      jwt: {
        algorithm: 'HS256',
        privateKey: 'k'.repeat(32),
        rsaPrivateKey: 'rsa-pem',
        verifyKeys: '["' + 'v'.repeat(32) + '"]',
        issuer: 'iss',
        audience: 'aud',
        accessTokenTtlSeconds: 60,
        claimShapes: ['hasura'],
      },
      refreshTokenTtlSeconds: 3600,
      sessionMaxAgeSeconds: 86_400,
      refreshReuseIntervalSeconds: 5,
      bcryptCost: 4,
      bcryptQueue: 7,
      logLevel: 'silent',
      production: true,
      graphiql: true,
      introspection: false,
      trustProxy: true,
      developmentLoginRateLimit: false,
      loginRateLimit: { max: 5, windowSeconds: 60 },
      refreshRateLimit: { max: 40, windowSeconds: 60 },
      loginEmailRateLimit: { max: 20, windowSeconds: 120 },
      redisUrl: 'redis://127.0.0.1:6379',
      workers: 3,
      cors: { origins: ['https://app.example.com'], credentials: true },
      metricsToken: 'scrape',
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 8_000,
      encryption: { key: Buffer.alloc(32, 0xab), previousKeys: [Buffer.alloc(32, 7), Buffer.alloc(32, 8)] },
      totpIssuer: 'Example',
      mfaFailureLimit: { max: 10, windowSeconds: 600 },
      reauthMaxAgeSeconds: 300,
      singleInstance: true,
      mail: {
        smtpUrl: 'smtps://mailer:p%40ss@smtp.example.com:465',
        from: 'Example <accounts@example.com>',
        appUrl: 'https://app.example.com',
        resetTokenTtlSeconds: 900,
        verifyTokenTtlSeconds: 3600,
        requireVerifiedEmail: true,
        minIntervalSeconds: 30,
        templatesDir: '/etc/janus/mail',
      },
      signIn: {
        providers: [{ kind: 'github', id: 'github', clientId: 'gh', clientSecret: 'ghs', baseUrl: undefined }],
        redirectUris: ['https://app.example.com/signed-in'],
      },
      webauthn: { rpId: 'example.com', rpName: 'Example', origins: ['https://app.example.com', 'https://example.com'] },
    });
  });

  it.each([
    ['PORT', '0', 0],
    ['PORT', '65535', 65535],
    ['BCRYPT_COST', '4', 4],
    ['BCRYPT_COST', '15', 15],
    ['JANUS_REFRESH_REUSE_INTERVAL', '0', 0],
    ['JANUS_REFRESH_REUSE_INTERVAL', '300', 300],
  ] as const)('accepts the bound %s=%s', (name, value, expected) => {
    const config = loadConfig({ [name]: value });
    const read = { PORT: config.port, BCRYPT_COST: config.bcryptCost, JANUS_REFRESH_REUSE_INTERVAL: config.refreshReuseIntervalSeconds };
    expect(read[name]).toBe(expected);
  });

  it('accepts a postgres:// URL as well as postgresql://', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost/janus' }).databaseUrl).toBe('postgres://u:p@localhost/janus');
  });

  it.each(['EdDSA', 'ES256', 'RS256', 'HS256'] as const)('accepts JANUS_JWT_ALG=%s', (alg) => {
    expect(loadConfig({ JANUS_JWT_ALG: alg }).jwt.algorithm).toBe(alg);
  });
});

it('sends no mail anywhere by default: .eml files, links to localhost:3000, tokens for 1 h (reset) and 24 h (verify)', () => {
  expect(loadConfig({}).mail).toEqual({
    smtpUrl: undefined,
    from: 'Janus <janus@localhost>',
    appUrl: 'http://localhost:3000',
    resetTokenTtlSeconds: 3600,
    verifyTokenTtlSeconds: 86_400,
    requireVerifiedEmail: false,
    minIntervalSeconds: 60,
    templatesDir: undefined,
  });
  expect(loadConfig({ JANUS_SMTP_URL: 'smtp://127.0.0.1:2525', JANUS_MAIL_FROM: 'janus@example.com' }).mail).toMatchObject({
    smtpUrl: 'smtp://127.0.0.1:2525',
    from: 'janus@example.com',
  });
});

it('refuses JANUS_REQUIRE_VERIFIED_EMAIL in production without JANUS_SMTP_URL', () => {
  expect(() => loadConfig({ JANUS_ENCRYPTION_KEY: 'ab'.repeat(32), NODE_ENV: 'production', JANUS_REQUIRE_VERIFIED_EMAIL: 'true' })).toThrow(/needs JANUS_SMTP_URL/);
  expect(loadConfig({ JANUS_ENCRYPTION_KEY: 'ab'.repeat(32), NODE_ENV: 'production', JANUS_REQUIRE_VERIFIED_EMAIL: 'true', JANUS_SMTP_URL: 'smtp://mail:25' }).mail.requireVerifiedEmail).toBe(true);
  expect(loadConfig({ JANUS_REQUIRE_VERIFIED_EMAIL: 'true' }).mail.requireVerifiedEmail).toBe(true);
});

it('refuses an access-token lifetime longer than the refresh-token lifetime', () => {
  expect(() => loadConfig({ JANUS_ACCESS_TOKEN_TTL: '7200', JANUS_REFRESH_TOKEN_TTL: '3600' })).toThrow(
    /JANUS_ACCESS_TOKEN_TTL must not exceed JANUS_REFRESH_TOKEN_TTL/,
  );
});

it('refuses a refresh-token lifetime (the idle timeout) longer than the session maximum age', () => {
  expect(() => loadConfig({ JANUS_REFRESH_TOKEN_TTL: '7200', JANUS_SESSION_MAX_AGE: '3600' })).toThrow(
    /JANUS_REFRESH_TOKEN_TTL must not exceed JANUS_SESSION_MAX_AGE/,
  );
  expect(loadConfig({ JANUS_REFRESH_TOKEN_TTL: '3600', JANUS_SESSION_MAX_AGE: '3600' }).sessionMaxAgeSeconds).toBe(3600);
});

it('runs one worker per core with JANUS_WORKERS=auto, and only with a database server', () => {
  expect(loadConfig({ JANUS_WORKERS: 'auto', DATABASE_URL: 'postgres://db/janus' }).workers).toBeGreaterThanOrEqual(1);
  expect(() => loadConfig({ JANUS_WORKERS: '2' })).toThrow(/needs DATABASE_URL/);
});

describe('the signing key in production', () => {
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/janus', JANUS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };

  it.each([
    ['EdDSA', 'openssl genpkey -algorithm ed25519'],
    ['ES256', 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'],
    ['RS256', 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048'],
    ['HS256', 'openssl rand -base64 48'],
  ])('is required with a database server (JANUS_JWT_ALG=%s), in one line saying how to make one', (alg, recipe) => {
    const error = configErrorFor({ ...production, JANUS_JWT_ALG: alg });
    expect(error.message).toBe(
      `JANUS_JWT_PRIVATE_KEY is required in production with DATABASE_URL so that every instance signs with the same key: make one with \`${recipe}\` (see docs/keys.md), or set JANUS_SINGLE_INSTANCE=true to keep a generated key in JANUS_DATA_DIR`,
    );
    expect(error.message).not.toContain('\n');
  });

  it('may be generated when the operator declares a single instance', () => {
    expect(loadConfig({ ...production, JANUS_SINGLE_INSTANCE: 'true' })).toMatchObject({ singleInstance: true, jwt: { privateKey: undefined } });
    expect(() => loadConfig({ ...production, JANUS_SINGLE_INSTANCE: 'false' })).toThrow(/JANUS_JWT_PRIVATE_KEY is required/);
    expect(() => loadConfig({ ...production, JANUS_SINGLE_INSTANCE: 'yes' })).toThrow(/JANUS_SINGLE_INSTANCE must be true or false/);
  });

  it('is not required outside production, nor with the embedded database (one process by construction)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/janus' }).singleInstance).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: production.JANUS_ENCRYPTION_KEY }).jwt.privateKey).toBeUndefined();
  });

  it('is accepted when configured, beside the RSA key', () => {
    expect(loadConfig({ ...production, JANUS_JWT_PRIVATE_KEY: 'pem', JANUS_JWT_RSA_PRIVATE_KEY: 'rsa' }).jwt).toMatchObject({ privateKey: 'pem', rsaPrivateKey: 'rsa' });
  });

  it('needs the RSA key configured too, the same way, in one line saying how to make one', () => {
    const error = configErrorFor({ ...production, JANUS_JWT_PRIVATE_KEY: 'pem' });
    expect(error.message).toBe(
      'JANUS_JWT_RSA_PRIVATE_KEY is required in production with DATABASE_URL so that every instance signs with the same key: make one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` (see docs/keys.md), or set JANUS_SINGLE_INSTANCE=true to keep a generated key in JANUS_DATA_DIR',
    );
    expect(loadConfig({ ...production, JANUS_JWT_PRIVATE_KEY: 'pem', JANUS_SINGLE_INSTANCE: 'true' }).jwt.rsaPrivateKey).toBeUndefined();
  });

  it.each(['JANUS_JWT_PRIVATE_KEY', 'JANUS_JWT_RSA_PRIVATE_KEY'])('with JANUS_JWT_ALG=RS256 is one RSA key, given in %s', (variable) => {
    expect(loadConfig({ ...production, JANUS_JWT_ALG: 'RS256', [variable]: 'rsa' }).jwt).toMatchObject({ privateKey: 'rsa', rsaPrivateKey: 'rsa' });
  });
});

it('refuses two different keys for JANUS_JWT_ALG=RS256, which signs with its one RSA key', () => {
  expect(configErrorFor({ JANUS_JWT_ALG: 'RS256', JANUS_JWT_PRIVATE_KEY: 'one', JANUS_JWT_RSA_PRIVATE_KEY: 'two' }).message).toContain(
    'not two different keys',
  );
  expect(loadConfig({ JANUS_JWT_ALG: 'RS256', JANUS_JWT_PRIVATE_KEY: 'same\n', JANUS_JWT_RSA_PRIVATE_KEY: 'same' }).jwt.privateKey).toBe('same\n');
});

it('makes the per-email login bucket ten times the per-address one, over the same window, unless set', () => {
  expect(loadConfig({}).loginEmailRateLimit).toEqual({ max: 1000, windowSeconds: 300 });
  expect(loadConfig({ JANUS_LOGIN_RATE_LIMIT: '3/60' }).loginEmailRateLimit).toEqual({ max: 30, windowSeconds: 60 });
  expect(loadConfig({ JANUS_LOGIN_RATE_LIMIT: '3/60', JANUS_LOGIN_EMAIL_RATE_LIMIT: '5/600' }).loginEmailRateLimit).toEqual({ max: 5, windowSeconds: 600 });
});

it('lets eight bcrypt hashes per core wait by default, and accepts a queue of 0', () => {
  expect(loadConfig({}).bcryptQueue).toBe(8 * os.availableParallelism());
  expect(loadConfig({ JANUS_BCRYPT_QUEUE: '0' }).bcryptQueue).toBe(0);
});

it('turns explorers and introspection off by default in production', () => {
  expect(loadConfig({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })).toMatchObject({ production: true, graphiql: false, introspection: false });
  expect(loadConfig({})).toMatchObject({ production: false, graphiql: true, introspection: true, refreshRateLimit: { max: 150, windowSeconds: 300 } });
});

it('keeps 10 logins per 5 minutes per address in production, and a looser default elsewhere that the banner names', () => {
  const production = loadConfig({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') });
  expect(production).toMatchObject({ loginRateLimit: { max: 10, windowSeconds: 300 }, loginEmailRateLimit: { max: 100, windowSeconds: 300 }, developmentLoginRateLimit: false });
  expect(loadConfig({})).toMatchObject({ loginRateLimit: { max: 100, windowSeconds: 300 }, developmentLoginRateLimit: true });
  expect(loadConfig({ NODE_ENV: 'test' }).developmentLoginRateLimit).toBe(true);
  expect(loadConfig({ JANUS_LOGIN_RATE_LIMIT: '10/300' })).toMatchObject({ loginRateLimit: { max: 10, windowSeconds: 300 }, developmentLoginRateLimit: false });
});

describe('loadConfig rejects bad values with a ConfigError naming the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['BCRYPT_COST', '3'],
    ['BCRYPT_COST', '16'],
    ['JANUS_JWT_ALG', 'PS256'],
    ['JANUS_JWT_CLAIMS', 'apollo'],
    ['JANUS_JWT_CLAIMS', 'hasura,x'],
    ['JANUS_JWT_ALG', 'eddsa'],
    ['JANUS_JWT_ALG', 'none'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['JANUS_ACCESS_TOKEN_TTL', '0'],
    ['JANUS_ACCESS_TOKEN_TTL', '86401'],
    ['JANUS_REFRESH_TOKEN_TTL', '0'],
    ['JANUS_SESSION_MAX_AGE', '0'],
    ['JANUS_SESSION_MAX_AGE', '30d'],
    ['JANUS_REFRESH_REUSE_INTERVAL', '301'],
    ['JANUS_REFRESH_REUSE_INTERVAL', '-1'],
    ['LOG_LEVEL', 'verbose'],
    ['JANUS_LOGIN_RATE_LIMIT', '10'],
    ['JANUS_LOGIN_RATE_LIMIT', '0/300'],
    ['JANUS_LOGIN_RATE_LIMIT', '10/0'],
    ['JANUS_LOGIN_EMAIL_RATE_LIMIT', '100'],
    ['JANUS_LOGIN_EMAIL_RATE_LIMIT', '0/300'],
    ['JANUS_BCRYPT_QUEUE', '-1'],
    ['JANUS_BCRYPT_QUEUE', 'many'],
    ['JANUS_BCRYPT_QUEUE', '100001'],
    ['JANUS_GRAPHIQL', 'yes'],
    ['JANUS_TRUST_PROXY', 'maybe'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['JANUS_WORKERS', '0'],
    ['JANUS_WORKERS', 'many'],
    ['JANUS_CORS_ORIGINS', 'app.example.com'],
    ['JANUS_CORS_ORIGINS', 'https://app.example.com/'],
    ['JANUS_CORS_ORIGINS', 'https://app.example.com/path'],
    ['JANUS_CORS_ORIGINS', 'ftp://files.example.com'],
    ['JANUS_CORS_CREDENTIALS', 'please'],
    ['JANUS_REQUEST_TIMEOUT', '0'],
    ['JANUS_HEADERS_TIMEOUT', 'soon'],
    ['JANUS_SMTP_URL', 'http://mail.example.com'],
    ['JANUS_SMTP_URL', 'not a url'],
    ['JANUS_MAIL_FROM', 'no address'],
    ['JANUS_MAIL_FROM', 'a@b.c\r\nBcc: x@y.z'],
    ['JANUS_APP_URL', 'ftp://app.example.com'],
    ['JANUS_APP_URL', 'https://app.example.com/?next=1'],
    ['JANUS_PUBLIC_URL', 'auth.example.com'],
    ['JANUS_PUBLIC_URL', 'https://auth.example.com/'],
    ['JANUS_PUBLIC_URL', 'https://auth.example.com/janus'],
    ['JANUS_PUBLIC_URL', 'ftp://auth.example.com'],
    ['JANUS_RESET_TOKEN_TTL', '0'],
    ['JANUS_RESET_TOKEN_TTL', '86401'],
    ['JANUS_VERIFY_TOKEN_TTL', '0'],
    ['JANUS_REQUIRE_VERIFIED_EMAIL', 'yes'],
    ['JANUS_MFA_FAILURE_LIMIT', '20'],
    ['JANUS_MFA_FAILURE_LIMIT', '0/900'],
    ['JANUS_REAUTH_MAX_AGE', '0'],
    ['JANUS_REAUTH_MAX_AGE', '86401'],
  ])('%s=%s', (name, value) => {
    const error = configErrorFor({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.name).toBe('ConfigError');
  });

  it('quotes the offending value in the message', () => {
    expect(configErrorFor({ PORT: 'abc' }).message).toContain('abc');
    expect(configErrorFor({ PORT: '70000' }).message).toContain('70000');
    expect(configErrorFor({ JANUS_JWT_ALG: 'PS256' }).message).toContain('PS256');
  });

  it('does not echo a JANUS_SMTP_URL (it may hold a password)', () => {
    expect(configErrorFor({ JANUS_SMTP_URL: 'http://u:s3cret@mail' }).message).not.toContain('s3cret');
    expect(configErrorFor({ JANUS_SMTP_URL: 'smtp://u:s3cret@[bad' }).message).not.toContain('s3cret');
  });

  it('does not echo a DATABASE_URL that failed to parse (it may hold a password)', () => {
    expect(configErrorFor({ DATABASE_URL: 'postgres://u:s3cret@[bad' }).message).not.toContain('s3cret');
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(configErrorFor({ JANUS_REQUEST_TIMEOUT: '5', JANUS_HEADERS_TIMEOUT: '6' }).message).toContain('JANUS_HEADERS_TIMEOUT');
  });
});

describe('edge settings', () => {
  it('allows no cross-origin access, no credentials, an open /metrics and 10 s / 5 s timeouts by default', () => {
    const config = loadConfig({});
    expect(config.cors).toEqual({ origins: [], credentials: false });
    expect(config.metricsToken).toBeUndefined();
    expect(config.requestTimeoutMs).toBe(10_000);
    expect(config.headersTimeoutMs).toBe(5_000);
  });

  it('reads a comma-separated list of exact origins, trimming spaces', () => {
    expect(loadConfig({ JANUS_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).cors.origins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });
});

describe('the encryption key of TOTP secrets', () => {
  it('leaves it unset outside production, to be generated into the data folder', () => {
    expect(loadConfig({}).encryption).toEqual({ key: undefined, previousKeys: [] });
    expect(loadConfig({}).totpIssuer).toBe('Janus');
  });

  it('requires it in production, with one line naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^JANUS_ENCRYPTION_KEY is required in production/);
  });

  it('reads 32 bytes as 64 hex digits or as base64', () => {
    const key = Buffer.alloc(32, 0x5a);
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      expect(loadConfig({ JANUS_ENCRYPTION_KEY: text }).encryption.key).toEqual(key);
    }
  });

  it.each([
    ['JANUS_ENCRYPTION_KEY', 'too-short'],
    ['JANUS_ENCRYPTION_KEY', Buffer.alloc(16).toString('base64')],
    ['JANUS_ENCRYPTION_KEY', 'ab'.repeat(31)],
    ['JANUS_ENCRYPTION_KEYS_PREVIOUS', `${Buffer.alloc(32).toString('base64')},nope`],
  ])('refuses %s=%s with one line', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be 32 bytes`));
  });
});

describe('second-factor settings', () => {
  it('bounds wrong codes at 20 per 900 s per account and calls a login recent for 600 s by default', () => {
    const config = loadConfig({});
    expect(config.mfaFailureLimit).toEqual({ max: 20, windowSeconds: 900 });
    expect(config.reauthMaxAgeSeconds).toBe(600);
  });
});

it('keeps audit events forever unless JANUS_AUDIT_RETENTION_DAYS names a number of days', () => {
  expect(loadConfig({}).auditRetentionDays).toBeUndefined();
  expect(loadConfig({ JANUS_AUDIT_RETENTION_DAYS: '' }).auditRetentionDays).toBeUndefined();
  expect(loadConfig({ JANUS_AUDIT_RETENTION_DAYS: '365' }).auditRetentionDays).toBe(365);
  expect(configErrorFor({ JANUS_AUDIT_RETENTION_DAYS: '0' }).message).toMatch(/JANUS_AUDIT_RETENTION_DAYS must be between 1 and 36500/);
  expect(configErrorFor({ JANUS_AUDIT_RETENTION_DAYS: '30d' }).message).toMatch(/JANUS_AUDIT_RETENTION_DAYS must be a whole number/);
});

describe('passkey settings (JANUS_WEBAUTHN_*)', () => {
  const production = { NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };

  it('outside production, default to the front end of JANUS_APP_URL: rp id localhost, origin http://localhost:3000', () => {
    expect(loadConfig({}).webauthn).toEqual({ rpId: 'localhost', rpName: 'Janus', origins: ['http://localhost:3000'] });
    expect(loadConfig({ JANUS_APP_URL: 'http://localhost:5173/app' }).webauthn).toEqual({ rpId: 'localhost', rpName: 'Janus', origins: ['http://localhost:5173'] });
  });

  it('are off outside production for a front end on an IP address, which cannot be a relying party', () => {
    expect(loadConfig({ JANUS_APP_URL: 'http://127.0.0.1:3000' }).webauthn).toBeUndefined();
  });

  it('are off in production until both JANUS_WEBAUTHN_RP_ID and JANUS_WEBAUTHN_ORIGINS are set: an rp id is for good', () => {
    expect(loadConfig(production).webauthn).toBeUndefined();
    expect(loadConfig({ ...production, JANUS_WEBAUTHN_RP_ID: 'example.com', JANUS_WEBAUTHN_ORIGINS: 'https://example.com' }).webauthn).toEqual({
      rpId: 'example.com',
      rpName: 'Janus',
      origins: ['https://example.com'],
    });
    for (const half of [{ JANUS_WEBAUTHN_RP_ID: 'example.com' }, { JANUS_WEBAUTHN_ORIGINS: 'https://example.com' }] as Record<string, string>[]) {
      expect(configErrorFor({ ...production, ...half }).message).toBe(
        'JANUS_WEBAUTHN_RP_ID and JANUS_WEBAUTHN_ORIGINS go together in production: set both to turn passkeys on, or neither',
      );
    }
  });

  it.each([
    [{ JANUS_WEBAUTHN_RP_ID: 'https://example.com' }, 'JANUS_WEBAUTHN_RP_ID must be a domain name'],
    [{ JANUS_WEBAUTHN_RP_ID: 'example.com:443' }, 'JANUS_WEBAUTHN_RP_ID must be a domain name'],
    [{ JANUS_WEBAUTHN_RP_ID: '10.0.0.1' }, 'JANUS_WEBAUTHN_RP_ID must be a domain name'],
    [{ JANUS_WEBAUTHN_RP_ID: 'example.com', JANUS_WEBAUTHN_ORIGINS: 'https://example.org' }, 'https://example.org is not on example.com'],
    [{ JANUS_WEBAUTHN_RP_ID: 'example.com', JANUS_WEBAUTHN_ORIGINS: 'https://badexample.com' }, 'https://badexample.com is not on example.com'],
    [{ JANUS_WEBAUTHN_RP_ID: 'example.com', JANUS_WEBAUTHN_ORIGINS: 'http://app.example.com' }, 'must be https'],
    [{ JANUS_WEBAUTHN_ORIGINS: 'https://app.example.com/login' }, 'JANUS_WEBAUTHN_ORIGINS must list exact origins'],
    [{ JANUS_WEBAUTHN_RP_NAME: 'x'.repeat(65) }, 'JANUS_WEBAUTHN_RP_NAME must be one line of 1 to 64 characters'],
    [{ JANUS_WEBAUTHN_RP_NAME: 'Ja\nnus' }, 'JANUS_WEBAUTHN_RP_NAME must be one line of 1 to 64 characters'],
  ])('refuses %j', (env, message) => {
    expect(configErrorFor(env).message).toContain(message);
  });

  it('accepts origins on subdomains of the rp id, and http on localhost', () => {
    expect(loadConfig({ JANUS_WEBAUTHN_RP_ID: 'example.com', JANUS_WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com' }).webauthn?.origins).toEqual([
      'https://app.example.com',
      'https://example.com',
    ]);
    expect(loadConfig({ JANUS_WEBAUTHN_ORIGINS: 'http://localhost:8080' }).webauthn).toEqual({ rpId: 'localhost', rpName: 'Janus', origins: ['http://localhost:8080'] });
  });
});

describe('sign-in providers (JANUS_SIGN_IN_PROVIDERS, JANUS_SIGN_IN_REDIRECT_URIS)', () => {
  const google = { id: 'google', issuer: 'https://accounts.google.com', clientId: 'id', clientSecret: 'secret', scopes: ['openid', 'email'] };
  const withProviders = (providers: unknown, extra: Record<string, string> = {}) => ({
    JANUS_SIGN_IN_PROVIDERS: JSON.stringify(providers),
    JANUS_SIGN_IN_REDIRECT_URIS: 'https://app.example.com/signed-in, https://app.example.com/linked',
    ...extra,
  });

  it('has none by default', () => {
    expect(loadConfig({}).signIn).toEqual({ providers: [], redirectUris: [] });
  });

  it('reads OpenID providers and GitHub, with the default scopes and github.com unless a server is named', () => {
    const config = loadConfig(withProviders([
      google,
      { id: 'corp', issuer: 'https://login.example.com/realms/corp/', clientId: 'c', clientSecret: 's' },
      { id: 'github', clientId: 'gh', clientSecret: 'ghs' },
    ]));
    expect(config.signIn).toEqual({
      providers: [
        { kind: 'openid', ...google },
        { kind: 'openid', id: 'corp', issuer: 'https://login.example.com/realms/corp', clientId: 'c', clientSecret: 's', scopes: ['openid', 'email', 'profile'] },
        { kind: 'github', id: 'github', clientId: 'gh', clientSecret: 'ghs', baseUrl: undefined },
      ],
      redirectUris: ['https://app.example.com/signed-in', 'https://app.example.com/linked'],
    });
  });

  it('allows an http issuer only on this machine and outside production', () => {
    const local = { ...google, issuer: 'http://127.0.0.1:9000' };
    expect(loadConfig(withProviders([local])).signIn.providers[0]).toMatchObject({ issuer: 'http://127.0.0.1:9000' });
    expect(configErrorFor(withProviders([{ ...google, issuer: 'http://idp.example.com' }])).message).toMatch(/issuer must be an https:\/\/ URL/);
    expect(configErrorFor(withProviders([local], { NODE_ENV: 'production', JANUS_JWT_PRIVATE_KEY: 'x', JANUS_ENCRYPTION_KEY: 'a'.repeat(64) })).message)
      .toMatch(/issuer must be an https:\/\/ URL/);
  });

  it.each([
    ['not JSON', '{', /is not valid JSON/],
    ['not a list', '{"id":"google"}', /must be a JSON list/],
    ['an entry that is not an object', '["google"]', /\[0\] must be an object/],
    ['a bad id', JSON.stringify([{ ...google, id: 'Google!' }]), /\[0\]\.id must be/],
    ['no client secret', JSON.stringify([{ ...google, clientSecret: '' }]), /\(google\)\.clientSecret must be a non-empty string/],
    ['a misspelt key', JSON.stringify([{ ...google, scope: ['openid'] }]), /\(google\) has unknown keys scope/],
    ['scopes without openid', JSON.stringify([{ ...google, scopes: ['email'] }]), /scopes must be a list of scopes including "openid"/],
    ['an issuer with a query', JSON.stringify([{ ...google, issuer: 'https://idp.example.com/?x=1' }]), /issuer must be an https:\/\/ URL without query/],
    ['GitHub with an issuer', JSON.stringify([{ id: 'github', clientId: 'a', clientSecret: 'b', issuer: 'https://github.com' }]), /\(github\) has unknown keys issuer/],
    ['one id twice', JSON.stringify([google, google]), /lists the provider "google" twice/],
  ])('refuses %s', (_case, raw, message) => {
    expect(configErrorFor({ JANUS_SIGN_IN_PROVIDERS: raw, JANUS_SIGN_IN_REDIRECT_URIS: 'https://app.example.com/cb' }).message).toMatch(message);
  });

  it('needs redirect URIs with providers, and each one an absolute http(s) URL without a fragment', () => {
    expect(configErrorFor({ JANUS_SIGN_IN_PROVIDERS: JSON.stringify([google]) }).message).toMatch(/needs JANUS_SIGN_IN_REDIRECT_URIS/);
    for (const uri of ['/signed-in', 'ftp://app.example.com/cb', 'https://app.example.com/cb#x']) {
      expect(configErrorFor({ JANUS_SIGN_IN_REDIRECT_URIS: uri }).message).toMatch(/must list absolute http\(s\) URLs without a fragment/);
    }
  });
});
