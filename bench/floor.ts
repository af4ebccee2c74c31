/**
 * The floor: a bare node:http server doing only the irreducible work of Janus's requests, so that
 * Janus can be reported as a fraction of it. Run as a child process (same Node, same core as the
 * Janus under test); configured by environment:
 *   FLOOR_KEY_FILE      the PEM Ed25519 private key Janus generated (its public half verifies)
 *   FLOOR_DATABASE_URL  the PostgreSQL database Janus's rows live in
 *   FLOOR_ISSUER, FLOOR_AUDIENCE  as Janus's defaults unless given
 * Prints `floor listening http://127.0.0.1:<port>` once ready.
 *
 * Routes: POST /graphql and GET /rest/me answer `me`; POST /refresh rotates a refresh token.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, calculateJwkThumbprint, jwtVerify, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';
import pg from 'pg';

const ALGORITHM = 'EdDSA';
const ACCESS_TOKEN_TYPE = 'at+jwt';
const ACCESS_TOKEN_TTL_SECONDS = 900;
const REFRESH_TOKEN_TTL_SECONDS = 604_800;
const POOL_SIZE = 10;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The statement Janus's auth plugin needs per request (session, user and role in one indexed
// query); the aliases only keep `s.id` and `r.name` from colliding with the user's columns.
const ME_SQL =
  'select s.id as session_id, s.revoked_at, u.*, r.name as role_name, r.permissions from sessions s ' +
  'join users u on u.id = s.user_id join roles r on r.id = u.role_id where s.id = $1 and s.user_id = $2';

// Rotation in one round trip: spend the presented token, store its successor in the same
// session, and load what the new access token and the answer need.
const REFRESH_SQL = `
  with used as (
    update refresh_tokens t set used_at = now()
    from sessions s
    where t.token_hash = $1 and t.used_at is null and t.expires_at > now()
      and s.id = t.session_id and s.revoked_at is null
    returning t.session_id, s.user_id
  ), fresh as (
    insert into refresh_tokens (id, session_id, token_hash, expires_at, created_at)
    select $2, session_id, $3, now() + make_interval(secs => $4::double precision), now() from used
  )
  select used.session_id, u.*, r.name as role_name, r.permissions
  from used join users u on u.id = used.user_id join roles r on r.id = u.role_id`;

const UNAUTHENTICATED_MESSAGE = 'A valid access token is required';
const UNAUTHENTICATED = JSON.stringify({ errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] });
const INVALID_REFRESH_TOKEN = JSON.stringify({
  errors: [{ message: 'The refresh token is not valid', extensions: { code: 'INVALID_REFRESH_TOKEN' } }],
});

interface UserRow {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone_number: string;
  token_version: number;
  created_at: Date;
  role_name: string;
  permissions: string[];
}

interface Keys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function loadKeys(file: string): Promise<Keys> {
  const privateKey = createPrivateKey(await readFile(file, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  // Janus puts this thumbprint in every token's `kid`; the floor checks it the same way.
  const kid = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK);
  return { kid, privateKey, publicKey };
}

function userJson(row: UserRow): Record<string, string> {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    role: row.role_name,
    createdAt: row.created_at.toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: string): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="janus"';
  res.writeHead(status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function createHandlers(keys: Keys, pool: pg.Pool, issuer: string, audience: string) {
  const resolveKey = (header: JWTHeaderParameters): KeyObject => {
    if (header.kid !== keys.kid) throw new Error('unknown key');
    return keys.publicKey;
  };

  async function verify(authorization: string | undefined): Promise<JWTPayload | undefined> {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, resolveKey, {
        algorithms: [ALGORITHM],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: 5,
        requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  /** `readRequest` runs once the token verified: a bad token is refused without reading the body, as Janus does. */
  async function me(
    req: IncomingMessage,
    res: ServerResponse,
    wrap: (user: Record<string, string>) => unknown,
    readRequest: () => Promise<unknown> = async () => undefined,
  ) {
    const claims = await verify(req.headers.authorization);
    const { sid, sub, ver } = claims ?? {};
    if (typeof sid !== 'string' || typeof sub !== 'string' || !UUID_SHAPE.test(sid) || !UUID_SHAPE.test(sub)) {
      return send(res, 401, UNAUTHENTICATED);
    }
    await readRequest();
    const { rows } = await pool.query<UserRow & { revoked_at: Date | null }>({ name: 'me', text: ME_SQL, values: [sid, sub] });
    const row = rows[0];
    if (!row || row.revoked_at !== null || row.token_version !== ver) return send(res, 401, UNAUTHENTICATED);
    send(res, 200, JSON.stringify(wrap(userJson(row))));
  }

  async function refresh(res: ServerResponse, presented: unknown) {
    if (typeof presented !== 'string') return send(res, 401, INVALID_REFRESH_TOKEN);
    const next = randomBytes(32).toString('base64url');
    const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
    const { rows } = await pool.query<UserRow & { session_id: string }>({
      name: 'refresh',
      text: REFRESH_SQL,
      values: [hash(presented), randomUUID(), hash(next), REFRESH_TOKEN_TTL_SECONDS],
    });
    const row = rows[0];
    if (!row) return send(res, 401, INVALID_REFRESH_TOKEN);
    const permissions = [...row.permissions].sort();
    const token = await new SignJWT({ sid: row.session_id, ver: row.token_version, role: row.role_name, perms: permissions })
      .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid, typ: ACCESS_TOKEN_TYPE })
      .setSubject(row.id)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .setJti(randomUUID())
      .sign(keys.privateKey);
    const payload = { token, refreshToken: next, permissions, user: userJson(row) };
    send(res, 200, JSON.stringify({ data: { refreshToken: payload } }));
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST' && req.url === '/graphql') {
      // Any server must read and parse the body to serve the operation; the floor does no more with it.
      return me(req, res, (user) => ({ data: { me: user } }), async () => JSON.parse(await readBody(req)));
    }
    if (req.method === 'GET' && req.url === '/rest/me') return me(req, res, (user) => user);
    if (req.method === 'POST' && req.url === '/refresh') {
      const body = JSON.parse(await readBody(req)) as { refreshToken?: unknown };
      return refresh(res, body.refreshToken);
    }
    send(res, 404, '{"errors":[{"message":"not found"}]}');
  };
}

async function main(): Promise<void> {
  const keys = await loadKeys(required('FLOOR_KEY_FILE'));
  const pool = new pg.Pool({ connectionString: required('FLOOR_DATABASE_URL'), max: POOL_SIZE });
  const handle = createHandlers(keys, pool, process.env.FLOOR_ISSUER ?? 'janus', process.env.FLOOR_AUDIENCE ?? 'janus');
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`floor: ${(error as Error).message}\n`);
      if (!res.headersSent) send(res, 500, '{"errors":[{"message":"floor failed"}]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`floor listening http://127.0.0.1:${port}\n`);
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    pool.end().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor: start-up failed: ${(error as Error).message}\n`);
  process.exit(1);
});
