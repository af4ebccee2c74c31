import autocannon from 'autocannon';
import { summarise, tally, type Measurement } from './stats.ts';

/** One kind of request, sent over and over by every connection. */
export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** A fixed body, or a function called for every request whose body must differ (unique emails). */
  body?: string | (() => string);
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
  const body = spec.body;
  // autocannon merges these keys over its defaults: an explicit undefined would erase them.
  if (typeof body === 'string') request.body = body;
  if (typeof body === 'function') request.setupRequest = (current) => ({ ...current, body: body() });
  return request;
}

/**
 * One continuous autocannon run of warm-up + measurement; only answers completed inside the
 * measurement window count. A separate warm-up run would leave its in-flight requests (seconds
 * of bcrypt work) running on the server into the measured run.
 */
export function measure(origin: string, spec: LoadSpec, shape: LoadShape): Promise<Measurement> {
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
        else resolve(summarise(latencies, shape.seconds, unexpected, shape.connections));
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
