import type { Endpoint } from '../../shared/reply.ts';
import type { OpenApiDocument } from './document.ts';

/** Serves the REST routes' OpenAPI document, serialised once: it only changes with the schema. */
export function openApiEndpoint(document: OpenApiDocument): Endpoint {
  const body = `${JSON.stringify(document, null, 2)}\n`;
  return () => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }, body });
}
