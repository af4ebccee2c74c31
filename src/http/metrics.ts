import type { Pool } from 'pg';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { UnauthenticatedError } from '../auth/errors.ts';
import type { DomainError } from '../shared/errors.ts';
import type { Endpoint, Reply } from '../shared/reply.ts';

export interface Metrics {
  registry: Registry;
  /** Seconds each bcrypt hash or compare took, queueing included. */
  observeHashing(seconds: number): void;
  requests: Counter<'surface' | 'operation' | 'status'>;
  latency: Histogram<'surface' | 'operation'>;
  logins: Counter<'outcome'>;
  /** Mail delivery attempts by outcome (delivered, failed). */
  mailDeliveries: Counter<'outcome'>;
}

export function createMetrics(pool: Pool | undefined, options: { mailBacklog?: () => Promise<number> } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'janus_process_' });
  const bcrypt = new Histogram({
    name: 'janus_bcrypt_duration_seconds',
    help: 'Time a bcrypt hash or compare took, waiting for a free slot included',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'janus_db_pool_connections',
    help: 'Database pool connections, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new Gauge({
    name: 'janus_mail_outbox_backlog',
    help: 'Mails in the outbox not yet delivered (nor given up on)',
    registers: [registry],
    async collect() {
      if (options.mailBacklog) this.set(await options.mailBacklog());
    },
  });
  return {
    registry,
    observeHashing: (seconds) => bcrypt.observe(seconds),
    requests: new Counter({
      name: 'janus_requests_total',
      help: 'HTTP requests by surface, operation and status',
      labelNames: ['surface', 'operation', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'janus_request_duration_seconds',
      help: 'HTTP request latency by surface and operation',
      labelNames: ['surface', 'operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'janus_logins_total',
      help: 'loginUser calls by outcome (success, or the error code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    mailDeliveries: new Counter({
      name: 'janus_mail_deliveries_total',
      help: 'Mail delivery attempts by outcome (delivered or failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

/** Counts one answered request: labels come from the edge (surface) and the schema or route table (operation), never the raw URL. */
export function recordRequest(metrics: Metrics, labels: { surface: string; operation: string; status: number }, seconds: number): void {
  metrics.requests.inc({ surface: labels.surface, operation: labels.operation, status: String(labels.status) });
  metrics.latency.observe({ surface: labels.surface, operation: labels.operation }, seconds);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` (Prometheus text). With a token configured (JANUS_METRICS_TOKEN), only a scraper
 * that sends it as a bearer token is answered: the counters tell login outcomes and versions.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined, renderError: (error: DomainError) => Reply): Endpoint {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async ({ headers }) => {
    if (expected && !timingSafeEqual(digest(headers.authorization ?? ''), expected)) return renderError(new UnauthenticatedError());
    return { status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() };
  };
}
