import type { Plugin } from 'graphql-yoga';
import { MethodNotAllowedError, type DomainError } from '../../shared/errors.ts';
import type { OpenApiDocument } from './document.ts';

const READ_METHODS = ['GET', 'HEAD'];

/** Serves the REST routes' OpenAPI document at `path`, serialised once: it only changes with the schema. */
export function useOpenApiDocument(path: string, document: OpenApiDocument, respond: (error: DomainError) => Response): Plugin {
  const body = `${JSON.stringify(document, null, 2)}\n`;
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== path) return;
      if (!READ_METHODS.includes(request.method)) return endResponse(respond(new MethodNotAllowedError(READ_METHODS)));
      endResponse(
        new Response(request.method === 'HEAD' ? null : body, {
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
        }),
      );
    },
  };
}
