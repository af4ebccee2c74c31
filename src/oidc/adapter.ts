import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';

/** The models whose rows belong to a grant: revoking the grant deletes them. */
const GRANT_MEMBERS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

interface Row {
  payload: AdapterPayload;
  /** When it was consumed, in epoch seconds (oidc-provider's `consumed`). */
  consumed: number | string | null;
}

/**
 * PostgreSQL refuses NUL in text and jsonb: a request parameter with one (a `nonce`, `state`,
 * `login_hint`… the provider keeps) is the client's mistake, answered 400 `invalid_request`.
 */
function refuseNul(key: string, value: unknown): unknown {
  if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) {
    throw new errors.InvalidRequest('request parameters must not contain NUL characters');
  }
  return value;
}

/**
 * oidc-provider's storage on MikroORM: one table (`oidc_models`) for every model, on both
 * databases. Expired rows are never answered (and the housekeeping job deletes them); consuming
 * marks a row, so a code used twice is seen as used (oidc-provider then revokes its grant).
 */
export function createAdapterClass(
  orm: MikroORM,
  /** Awaited when a grant is deleted (revoked): its Janus session ends before the revocation answers. */
  onGrantDestroyed: (grantId: string) => Promise<void> = async () => {},
): new (modelName: string) => Adapter {
  const execute = <T>(sql: string, params: unknown[]): Promise<T[]> => orm.em.fork().execute<T[]>(sql, params);

  function answer(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    return row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };
  }

  return class OidcAdapter implements Adapter {
    readonly name: string;

    constructor(name: string) {
      this.name = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const json = JSON.stringify(payload, refuseNul);
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const grantId = GRANT_MEMBERS.has(this.name) ? (payload.grantId ?? null) : null;
      await execute(
        `insert into oidc_models (model_name, id, payload, grant_id, uid, user_code, expires_at)
         values (?, ?, ?::jsonb, ?, ?, ?, ?)
         on conflict (model_name, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
        [this.name, id, json, grantId, payload.uid ?? null, payload.userCode ?? null, expiresAt],
      );
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      // A client's value no row can hold (PostgreSQL refuses NUL in text): nothing to find.
      if (value.includes('\0')) return undefined;
      const [row] = await execute<Row>(
        `select payload, floor(extract(epoch from consumed_at))::bigint as consumed from oidc_models where model_name = ? and ${column} = ? and (expires_at is null or expires_at > now())`,
        [this.name, value],
      );
      return answer(row);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await execute('update oidc_models set consumed_at = now() where model_name = ? and id = ? and consumed_at is null', [this.name, id]);
    }

    async destroy(id: string): Promise<void> {
      await execute('delete from oidc_models where model_name = ? and id = ?', [this.name, id]);
      if (this.name === 'Grant') await onGrantDestroyed(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await execute('delete from oidc_models where model_name = ? and grant_id = ?', [this.name, grantId]);
    }
  };
}

/** Deletes the rows past their expiry (the housekeeping job): clients, which never expire, stay. */
export async function purgeExpiredOidcModels(em: EntityManager, now: Date): Promise<number> {
  const deleted = await em.execute<{ affectedRows: number }>('delete from oidc_models where expires_at <= ?', [now], 'run');
  return deleted.affectedRows;
}
