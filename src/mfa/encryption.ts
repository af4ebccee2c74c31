import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../shared/config-error.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** A 32-byte key written as 64 hex digits or as base64 (standard or URL-safe). */
export function parseEncryptionKey(variable: string, raw: string): Buffer {
  const text = raw.trim();
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  const key = BASE64_KEY.test(text) ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : undefined;
  if (key?.length !== KEY_BYTES) {
    throw new ConfigError(`${variable} must be ${KEY_BYTES} bytes, as base64 or 64 hex digits (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

/** Names the key in every ciphertext, so that a rotated-out key still decrypts what it encrypted. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * AES-256-GCM for small secrets at rest. A ciphertext reads `<key id>.<iv>.<ciphertext>.<tag>`
 * (base64url parts). The associated data binds it to its row (e.g. the user id): a ciphertext
 * copied into another row fails to decrypt instead of lending that row its secret.
 */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string;
  /** Throws on a tampered or misplaced ciphertext, or one whose key is not configured any more. */
  decrypt(ciphertext: string, associatedData: string): string;
  /** False when the ciphertext was made with a previous key (and should be encrypted again). */
  isCurrent(ciphertext: string): boolean;
}

export function createSecretBox(options: { key: Buffer; previousKeys?: readonly Buffer[] }): SecretBox {
  const currentId = keyIdOf(options.key);
  const keys = new Map<string, Buffer>([...(options.previousKeys ?? []), options.key].map((key) => [keyIdOf(key), key]));
  return {
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', options.key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [currentId, iv, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    decrypt(ciphertext, associatedData) {
      const [id, iv, body, tag] = ciphertext.split('.');
      const key = id === undefined ? undefined : keys.get(id);
      if (!key || iv === undefined || body === undefined || tag === undefined) {
        throw new Error(`cannot decrypt: key ${id ?? '?'} is not configured (JANUS_ENCRYPTION_KEY / JANUS_ENCRYPTION_KEYS_PREVIOUS)`);
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    isCurrent(ciphertext) {
      return ciphertext.startsWith(`${currentId}.`);
    },
  };
}

/** The configured key, else one generated once into the data folder (readable by its owner only), as the JWT key is. */
export async function loadEncryptionKey(configured: Buffer | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return configured;
  const file = path.join(dataDir, 'keys', 'encryption.key');
  const read = async (): Promise<Buffer> => parseEncryptionKey(file, await readFile(file, 'utf8'));
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    // Another process generated it first: use theirs so that both encrypt with one key.
    if (error.code !== 'EEXIST') throw error;
  });
  return read();
}
