/** One bucket a call is counted in: its key and how many calls it admits per window. */
export interface Count {
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Sliding-window counters: a bucket admits a call when fewer than `max` of its admitted calls
 * fall within the last `windowMs`.
 */
export interface RateLimitStore {
  /**
   * Admits the call and records it in every bucket when each has room; otherwise records it
   * nowhere (a flood costs no memory and does not spend the other buckets) and answers the
   * milliseconds until every bucket admits again. One atomic step, so racing calls, also on other
   * instances sharing the store, never see the same count. Answers 0 when admitted.
   */
  hit(counts: readonly Count[]): Promise<number>;
  close(): Promise<void>;
}
