import type { IncomingMessage } from 'node:http';

/**
 * The client's address for rate limiting. X-Forwarded-For is written by whoever sends the
 * request, so it is believed only when configured to run behind a proxy, and then only its last
 * entry: the address the proxy itself saw.
 */
export function clientAddressOf(request: IncomingMessage | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request?.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return request?.socket.remoteAddress ?? 'unknown';
}
