import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** What an endpoint sees of a request: the edge has checked the target and the body's size. */
export interface EdgeRequest {
  method: string;
  pathname: string;
  headers: IncomingHttpHeaders;
}

/** An answer the edge writes itself. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer> | null;
}

/** A plain endpoint: answered by the edge, never by Yoga. */
export type Endpoint = (request: EdgeRequest) => Reply | Promise<Reply>;

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

export function sendReply(response: ServerResponse, { status, headers = {}, body }: Reply, method: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...headers, ...(bytes ? { 'content-length': String(bytes.byteLength) } : {}) });
  response.end(method === 'HEAD' ? undefined : bytes);
}
