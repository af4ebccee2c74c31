import type { MikroORM } from '@mikro-orm/postgresql';
import type { SecretBox } from './encryption.ts';
import { UserTotp } from './entities.ts';

export interface ReencryptionResult {
  /** Secrets moved to the current key by this run. */
  reencrypted: number;
  /** Secrets already under the current key. */
  current: number;
  /** Users whose secret no configured key decrypts: the old key is still needed for them (or they re-enrol). */
  unreadable: string[];
}

/** Rows per transaction: each batch holds its rows' locks (and, on the embedded database, every other query) only briefly. */
const BATCH_SIZE = 200;

/**
 * Re-encrypts every TOTP secret not under the current key (`keys rotate-encryption`), so that the
 * previous keys can be dropped. Safe beside running servers: each batch locks its rows, and a
 * login that re-encrypts a secret on its own (mfa/service.ts) waits for or follows it.
 */
export async function reencryptTotpSecrets(orm: MikroORM, secrets: SecretBox): Promise<ReencryptionResult> {
  const result: ReencryptionResult = { reencrypted: 0, current: 0, unreadable: [] };
  // Below every random (v4) UUID: the first batch starts at the beginning.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await orm.em.fork().transactional(async (em) => {
      const rows = await em.execute<{ user_id: string; secret: string }[]>(
        'select user_id, secret from user_totp where user_id > ? order by user_id limit ? for update',
        [after, BATCH_SIZE],
      );
      for (const row of rows) {
        if (secrets.isCurrent(row.secret)) {
          result.current += 1;
          continue;
        }
        let plain: string;
        try {
          plain = secrets.decrypt(row.secret, row.user_id);
        } catch {
          result.unreadable.push(row.user_id);
          continue;
        }
        await em.nativeUpdate(UserTotp, { user: row.user_id }, { secret: secrets.encrypt(plain, row.user_id) });
        result.reencrypted += 1;
      }
      return rows;
    });
    if (batch.length < BATCH_SIZE) return result;
    after = batch.at(-1)!.user_id;
  }
}
