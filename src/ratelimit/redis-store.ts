import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Count, RateLimitStore } from './store.ts';

const KEY_PREFIX = 'janus:rate:';
// Long enough for a busy but healthy Redis; a Redis that is down fails at once (no offline queue).
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * The memory store's rule in one script, which Redis runs without interleaving any other
 * command: every instance sees every admitted call. Each key is a sorted set of the admitted
 * calls (score: the time, from Redis's clock so that instances' clocks need not agree), at most
 * `max` members, expiring with its window.
 * KEYS: the buckets; ARGV: max and window (ms) of each bucket in turn, then a member unique to this call.
 */
const HIT_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local max, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local freeing = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    wait = math.max(wait, tonumber(freeing[2]) + window - now)
  end
end
if wait > 0 then return wait end
local member = ARGV[2 * #KEYS + 1]
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, ARGV[2 * i])
end
return 0
`;
const HIT_SCRIPT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

/**
 * Counters shared by every instance through Redis. When Redis cannot answer, this instance
 * fails open to its own in-memory counters: logins keep working and are still limited (per
 * instance rather than cluster-wide), and the outage is logged once, and its end once.
 */
export class FailOpenRedisStore implements RateLimitStore {
  private readonly redis: Redis;
  private readonly fallback: RateLimitStore;
  private readonly logger: Logger;
  private degraded = false;

  constructor(url: string, fallback: RateLimitStore, logger: Logger) {
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

  async hit(counts: readonly Count[]): Promise<number> {
    const keys = counts.map((count) => `${KEY_PREFIX}${count.key}`);
    const args = [...counts.flatMap((count) => [count.max, count.windowMs]), randomUUID()];
    try {
      const waitMs = await this.run(keys, args);
      this.recovered();
      return waitMs;
    } catch (error) {
      this.failed(error);
      return this.fallback.hit(counts);
    }
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  /** By its digest, and the script itself once after Redis has restarted (or flushed its scripts). */
  private async run(keys: string[], args: (string | number)[]): Promise<number> {
    try {
      return Number(await this.redis.evalsha(HIT_SCRIPT_SHA, keys.length, ...keys, ...args));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return Number(await this.redis.eval(HIT_SCRIPT, keys.length, ...keys, ...args));
    }
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
