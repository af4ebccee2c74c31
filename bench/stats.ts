/** What one side of a row measured over its measurement window (warm-up excluded). */
export interface Measurement {
  /** Answers completed inside the window, expected or not. */
  completed: number;
  seconds: number;
  perSecond: number;
  /** How perSecond was obtained: completions counted, or Little's law for too few of them. */
  rateFrom: 'count' | 'littles-law';
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not the scenario's expected one, and failed requests, by reason. */
  unexpected: Record<string, number>;
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Below this many completions a count is too coarse: bcrypt-bound requests finish in bursts of
 * one per pool thread, so a 3 s window holds 3 or 4 bursts and the count jumps by a third.
 */
const FEW_COMPLETIONS = 200;

/**
 * `concurrency`: requests always in flight (connections, or bcrypt operations). With that many
 * in flight all the time, Little's law gives the rate from the mean latency of every answer,
 * which bursts do not quantise.
 */
export function summarise(latenciesMs: number[], seconds: number, unexpected: Record<string, number>, concurrency: number): Measurement {
  const sorted = Float64Array.from(latenciesMs).sort();
  const meanMs = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const few = sorted.length > 0 && sorted.length < FEW_COMPLETIONS;
  return {
    completed: sorted.length,
    seconds,
    perSecond: few ? concurrency / (meanMs / 1000) : sorted.length / seconds,
    rateFrom: few ? 'littles-law' : 'count',
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    unexpected,
  };
}

export function countUnexpected(measurement: Measurement): number {
  return Object.values(measurement.unexpected).reduce((sum, count) => sum + count, 0);
}

export function tally(counts: Record<string, number>, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}
