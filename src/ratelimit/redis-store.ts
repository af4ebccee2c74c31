import { Store, type Identity } from '@envelop/rate-limiter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

const KEY_PREFIX = 'janus:rate:';
// Long enough for a busy but healthy Redis; a Redis that is down fails at once (no offline queue).
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * Counters shared by every instance through Redis. When Redis cannot answer, this instance
 * fails open to its own in-memory counters: logins keep working and are still limited (per
 * instance rather than cluster-wide), and the outage is logged once, and its end once.
 */
export class FailOpenRedisStore extends Store {
  private readonly redis: Redis;
  private readonly fallback: Store;
  private readonly logger: Logger;
  private degraded = false;

  constructor(url: string, fallback: Store, logger: Logger) {
    super();
    this.fallback = fallback;
    this.logger = logger;
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // ioredis reports connection errors here; the commands below report their own failure.
    this.redis.on('error', () => undefined);
  }

  /**
   * Waits for the first connection, so that the first requests are counted in Redis too. If Redis
   * is down the instance still starts, degraded, and ioredis keeps reconnecting in the background.
   */
  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      this.failed(error);
    }
  }

  async setForIdentity(identity: Identity, timestamps: readonly number[], windowMs?: number): Promise<void> {
    await this.fallback.setForIdentity(identity, timestamps, windowMs);
    try {
      const ttl = Math.max(1, Math.ceil(windowMs ?? 60_000));
      await this.redis.set(this.keyOf(identity), JSON.stringify(timestamps), 'PX', ttl);
      this.recovered();
    } catch (error) {
      this.failed(error);
    }
  }

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    try {
      const stored = await this.redis.get(this.keyOf(identity));
      this.recovered();
      return stored ? (JSON.parse(stored) as number[]) : [];
    } catch (error) {
      this.failed(error);
      return this.fallback.getForIdentity(identity);
    }
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  private keyOf(identity: Identity): string {
    return `${KEY_PREFIX}${identity.contextIdentity}:${identity.fieldIdentity}`;
  }

  private failed(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.error({ err: error }, 'rate-limit store (Redis) unavailable: counting in this instance only');
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.warn('rate-limit store (Redis) is back: counters are shared again');
  }
}
