import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who is asking, for logs and the audit trail; services read it without knowing of HTTP. */
export interface RequestContext {
  requestId: string;
  ip?: string;
  userAgent?: string;
  /** The authenticated caller, once the auth plugin has resolved one. */
  actorId?: string;
  /** Which surface the path belongs to, for metrics and the access log. */
  surface?: 'graphql' | 'rest' | 'other';
  /**
   * The operation, for metrics and the access log, always from a closed set: a REST route's
   * `Type.field`, a GraphQL operation's label (src/graphql/operation-facts.ts), or REFUSED_OPERATION.
   */
  operation?: string;
}

/** The operation label of every request refused for its token or by the access rules, whatever it asked for. */
export const REFUSED_OPERATION = 'refused';

const storage = new AsyncLocalStorage<RequestContext>();

// A caller's id is echoed into logs and headers: keep it short and free of control characters.
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is safe to reuse, else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
}

/** Runs one HTTP request's handling with its context reachable from logs and error masks. */
export function runInRequest<T>(context: RequestContext, handle: () => T): T {
  return storage.run(context, handle);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
