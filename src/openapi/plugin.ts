import type { Plugin } from 'graphql-yoga';
import type { OpenApiDocument } from './document.ts';

/** Serves the REST routes' OpenAPI document at `path`, serialised once: it only changes with the schema. */
export function useOpenApiDocument(path: string, document: OpenApiDocument): Plugin {
  const body = `${JSON.stringify(document, null, 2)}\n`;
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== path || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      endResponse(new Response(request.method === 'HEAD' ? null : body, {
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
      }));
    },
  };
}
