import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { createKnownOperations } from '../graphql/known-operations.ts';
import { rootFieldsOf } from '../auth/access-rules.ts';
import type { AppContext } from '../graphql/context.ts';
import { DomainError } from '../shared/errors.ts';
import { isUnderBasePath, routeAt, type RestRoute } from '../rest/routes.ts';

export const METRICS_PATH = '/metrics';

export interface Metrics {
  registry: Registry;
  /** Seconds each bcrypt hash or compare took, queueing included. */
  observeHashing(seconds: number): void;
  requests: Counter<'surface' | 'operation' | 'status'>;
  latency: Histogram<'surface' | 'operation'>;
  logins: Counter<'outcome'>;
}

export function createMetrics(pool: Pool | undefined): Metrics {
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
  };
}

interface InFlight {
  started: number;
  surface: string;
  operation: string;
}

/**
 * Serves `GET /metrics` (Prometheus text) and counts every request by surface, operation and
 * status. Operation labels come from the schema (root fields) or the route table, never from
 * the raw URL, so a client cannot blow up the number of series.
 */
export function useMetrics(metrics: Metrics, options: { restBasePath: string; graphqlPath: string; routes: readonly RestRoute[] }): Plugin<AppContext> {
  const inFlight = new WeakMap<Request, InFlight>();
  const surfaceOf = (pathname: string): string =>
    pathname === options.graphqlPath ? 'graphql' : isUnderBasePath(options.restBasePath, pathname) ? 'rest' : 'other';
  let schema: GraphQLSchema | undefined;
  // Per parsed document, like the auth and rate-limit plugins: no document walk per request.
  const operationOf = createDocumentCache((document, operationName) => {
    const fields = schema ? rootFieldsOf(schema, document, operationName) : [];
    return { label: [...fields].sort().join(',') || 'introspection', logsIn: fields.includes('Mutation.loginUser') };
  });
  const labelsByText = createKnownOperations<string>();
  // prom-client finds a series by hashing a labels object on every call; the few series there
  // are (labels come from the schema and the route table) are looked up once each instead.
  const series = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<'surface' | 'operation'> }>();
  const seriesOf = (surface: string, operation: string, status: number) => {
    const key = `${surface} ${operation} ${status}`;
    let found = series.get(key);
    if (!found) {
      found = {
        requests: metrics.requests.labels({ surface, operation, status: String(status) }),
        latency: metrics.latency.labels({ surface, operation }),
      };
      series.set(key, found);
    }
    return found;
  };
  const restOperation = (pathname: string): string =>
    routeAt(options.routes, options.restBasePath, pathname)?.key ?? 'unknown';

  return {
    // A promise only for the metrics page itself: every later request hook would wait on one.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === METRICS_PATH) {
        return metrics.registry.metrics().then((text) => {
          endResponse(new fetchAPI.Response(text, { headers: { 'content-type': metrics.registry.contentType } }));
        });
      }
      const surface = surfaceOf(url.pathname);
      inFlight.set(request, { started: performance.now(), surface, operation: surface === 'rest' ? restOperation(url.pathname) : 'unknown' });
    },
    onSchemaChange({ schema: next }) {
      schema = next;
      operationOf.clear();
      labelsByText.clear();
    },
    onParams({ params, request }) {
      // The auth plugin may answer a known operation here, before onExecute would label it.
      const label = labelsByText.get(params);
      const entry = inFlight.get(request);
      if (label && entry && entry.surface === 'graphql') entry.operation = label;
    },
    onExecute({ args }) {
      const operation = operationOf.get(args.document, args.operationName);
      labelsByText.learn(args.contextValue.params, operation.label);
      const entry = inFlight.get(args.contextValue.request);
      if (entry && entry.surface === 'graphql') entry.operation = operation.label;
      if (!operation.logsIn) return;
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result || 'data' in result)) return;
          const [error] = result.errors ?? [];
          const original = error?.originalError;
          const code = original instanceof DomainError ? original.code : error?.extensions.code;
          metrics.logins.inc({ outcome: error ? String(code ?? 'error') : 'success' });
        },
      };
    },
    onResponse({ request, response }) {
      const entry = inFlight.get(request);
      if (!entry) return;
      const series = seriesOf(entry.surface, entry.operation, response.status);
      series.requests.inc();
      series.latency.observe((performance.now() - entry.started) / 1000);
    },
  };
}
