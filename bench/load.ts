import autocannon from 'autocannon';
import { summarise, tally, type Measurement } from './stats.ts';

/** One kind of request, sent over and over by every connection. */
export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** A fixed body, or a function called for every request whose body must differ (unique emails). */
  body?: string | (() => string);
  /** Headers that differ per request, added to `headers`. */
  headersFor?: () => Record<string, string>;
  /** Undefined when the answer is the one this scenario expects, else a short reason. */
  check(status: number, body: string): string | undefined;
  /** Sees every answer, e.g. to keep the rotated refresh token it carries. */
  observe?(status: number, body: string): void;
}

export interface LoadShape {
  warmupSeconds: number;
  seconds: number;
  connections: number;
}

// Long enough for a request queued behind bcrypt rounds at cost 15; a timeout is counted as an error.
const REQUEST_TIMEOUT_SECONDS = 30;

function requestOf(spec: LoadSpec, onAnswer: (status: number, body: string) => void): autocannon.Request {
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    onResponse: (status, body) => onAnswer(status, body),
  };
  const { body, headersFor } = spec;
  // autocannon merges these keys over its defaults: an explicit undefined would erase them.
  if (typeof body === 'string') request.body = body;
  if (typeof body === 'function' || headersFor) {
    request.setupRequest = (current) => ({
      ...current,
      ...(typeof body === 'function' ? { body: body() } : {}),
      ...(headersFor ? { headers: { ...spec.headers, ...headersFor() } } : {}),
    });
  }
  return request;
}

/** What one run saw inside its window, before it is summarised (or merged with other turns). */
interface Sample {
  latencies: number[];
  unexpected: Record<string, number>;
  seconds: number;
}

/**
 * One continuous autocannon run of warm-up + measurement; only answers completed inside the
 * measurement window count. A separate warm-up run would leave its in-flight requests (seconds
 * of bcrypt work) running on the server into the measured run.
 */
function sample(origin: string, spec: LoadSpec, shape: LoadShape): Promise<Sample> {
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  const windowStart = performance.now() + shape.warmupSeconds * 1000;
  const windowEnd = windowStart + shape.seconds * 1000;
  const inWindow = (): boolean => {
    const now = performance.now();
    return now >= windowStart && now <= windowEnd;
  };
  // autocannon calls the request's onResponse and then emits 'response' for the same answer,
  // synchronously, so the verdict of one is still here when the other arrives.
  let verdict: string | undefined;
  const request = requestOf(spec, (status, body) => {
    verdict = spec.check(status, body);
    spec.observe?.(status, body);
  });

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections: shape.connections,
        duration: shape.warmupSeconds + shape.seconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: [request],
      },
      (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ latencies, unexpected, seconds: shape.seconds });
      },
    );
    instance.on('response', (_client, _status, _bytes, latencyMs) => {
      if (!inWindow()) return;
      latencies.push(latencyMs);
      if (verdict !== undefined) tally(unexpected, verdict);
    });
    // The typings give autocannon's errors as `any`; only the message is read.
    instance.on('reqError', (error: { message?: string }) => {
      if (inWindow()) tally(unexpected, error.message === 'request timed out' ? 'timeout' : 'connection error');
    });
  });
}

const summary = (measured: Sample, connections: number): Measurement =>
  summarise(measured.latencies, measured.seconds, measured.unexpected, connections);

export async function measure(origin: string, spec: LoadSpec, shape: LoadShape): Promise<Measurement> {
  return summary(await sample(origin, spec, shape), shape.connections);
}

function addTo(total: Sample, measured: Sample): void {
  total.latencies = total.latencies.concat(measured.latencies);
  total.seconds += measured.seconds;
  for (const [reason, count] of Object.entries(measured.unexpected)) total.unexpected[reason] = (total.unexpected[reason] ?? 0) + count;
}

export interface Side {
  origin: string;
  spec: LoadSpec;
}

// Turns shorter than this hold too few answers to be worth their own warm-up.
const MIN_TURN_SECONDS = 2.5;
const MAX_TURNS = 4;
// Each turn opens new connections: answers on them start counting after this.
export const TURN_WARMUP_SECONDS = 1;

/** How many turns each side of `measureInTurns` gets for this shape. */
export function turnsFor(shape: LoadShape): number {
  return Math.max(1, Math.min(MAX_TURNS, Math.floor(shape.seconds / MIN_TURN_SECONDS)));
}

/**
 * Servers measured in turns, in the order given, each turn a fraction of the window, and each
 * side's turns added up: the machine's own drift (windows a minute apart differ by a quarter
 * here) then falls on every side alike instead of on whichever ran in the slower minute. Each side
 * gets the full warm-up once, before its first turn.
 */
export async function measureInTurns(sides: readonly Side[], shape: LoadShape): Promise<Measurement[]> {
  const turns = turnsFor(shape);
  const turn: LoadShape = { ...shape, warmupSeconds: TURN_WARMUP_SECONDS, seconds: shape.seconds / turns };
  const totals: Sample[] = sides.map(() => ({ latencies: [], unexpected: {}, seconds: 0 }));
  for (const side of sides) await sample(side.origin, side.spec, { ...shape, seconds: 0 });
  for (let round = 0; round < turns; round += 1) {
    for (const [index, side] of sides.entries()) addTo(totals[index]!, await sample(side.origin, side.spec, turn));
  }
  return totals.map((total) => summary(total, shape.connections));
}
