import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { MethodNotAllowedError, type DomainError } from '../shared/errors.ts';
import { REST_DOCS_PATH } from '../rest/routes.ts';

/**
 * GraphiQL for createYoga's `renderGraphiQL`. Yoga's own page pulls GraphiQL from a CDN (blank
 * offline); this package inlines GraphiQL, its editor and workers. That is ~9 MB of code, so it is
 * imported on the first GraphiQL request (never where GraphiQL is off, as in production) and the
 * page is rendered once per options, not per request.
 */
export function createGraphiQLRenderer(): (options: GraphiQLOptions) => Promise<string> {
  let cached: { key: string; page: Promise<string> } | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (cached?.key !== key) {
      cached = { key, page: import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)) };
    }
    return cached.page;
  };
}

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const OWN_DIR = fileURLToPath(new URL('../rest/docs/', import.meta.url));

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface AssetSource {
  file: string;
  type: string;
}

/**
 * Everything the docs page loads, by path under `<base>/docs`: a request names one of these or
 * gets the REST guard's 404, so no part of a URL ever becomes part of a file path.
 */
const DOCS_FILES: Readonly<Record<string, AssetSource>> = {
  '': { file: path.join(OWN_DIR, 'index.html'), type: HTML },
  '/init.js': { file: path.join(OWN_DIR, 'init.js'), type: JS },
  '/swagger-ui-bundle.js': { file: path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'), type: JS },
  '/swagger-ui.css': { file: path.join(SWAGGER_UI_DIR, 'swagger-ui.css'), type: CSS },
  '/favicon-32x32.png': { file: path.join(SWAGGER_UI_DIR, 'favicon-32x32.png'), type: 'image/png' },
};

/** Scripts and styles from this server only; Swagger UI sets style attributes, hence 'unsafe-inline' for styles. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a Response body accepts: a Node Buffer may sit on a SharedArrayBuffer, as far as the types know. */
type Bytes = Uint8Array<ArrayBuffer>;

interface Asset {
  type: string;
  body: Bytes;
  /** Absent where compressing gains nothing (the PNG). */
  gzipped: Bytes | undefined;
  etag: string;
}

const gzipAsync = promisify(gzip);

async function loadAsset(source: AssetSource): Promise<Asset> {
  const body = new Uint8Array(await readFile(source.file));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const gzipped = source.type.startsWith('image/') ? undefined : new Uint8Array(await gzipAsync(body));
  return { type: source.type, body, gzipped, etag };
}

function acceptsGzip(request: Request): boolean {
  return (request.headers.get('accept-encoding') ?? '').split(',').some((part) => {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function serve(asset: Asset, request: Request, fetchAPI: { Response: typeof Response }): Response {
  const gzipped = asset.gzipped !== undefined && acceptsGzip(request) ? asset.gzipped : undefined;
  // Each encoding is its own representation, so it gets its own strong ETag.
  const etag = gzipped ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag;
  const headers: Record<string, string> = {
    'content-type': asset.type,
    // The page revalidates each time so it never points at stale assets; the assets may be
    // reused for an hour, which bounds how long an upgrade takes to reach a browser.
    'cache-control': asset.type === HTML ? 'no-cache' : 'public, max-age=3600',
    etag,
    'x-content-type-options': 'nosniff',
    ...(asset.gzipped ? { vary: 'accept-encoding' } : {}),
    ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
    ...(asset.type === HTML ? { 'content-security-policy': DOCS_CSP } : {}),
  };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) return new fetchAPI.Response(null, { status: 304, headers });
  const body = gzipped ?? asset.body;
  headers['content-length'] = String(body.byteLength);
  return new fetchAPI.Response(request.method === 'HEAD' ? null : body, { headers });
}

export interface RestDocsOptions {
  /** The REST base path; the page is `<basePath>/docs` and loads `<basePath>/openapi.json` (REST_DOCS_PATH, OPENAPI_PATH). */
  basePath: string;
  respond(error: DomainError): Response;
}

/**
 * Swagger UI at `<basePath>/docs`, rendering the OpenAPI document from files served here (from
 * swagger-ui-dist), so it works offline. Every other request costs one prefix check; each file
 * is read and compressed once, on its first request.
 */
export function useRestDocs(options: RestDocsOptions): Plugin {
  const prefix = `${options.basePath}${REST_DOCS_PATH}`;
  const sources = new Map(Object.entries(DOCS_FILES).map(([name, source]) => [`${prefix}${name}`, source]));
  const loaded = new Map<string, Promise<Asset>>();
  const assetOf = (pathname: string, source: AssetSource): Promise<Asset> => {
    let asset = loaded.get(pathname);
    if (!asset) {
      asset = loadAsset(source);
      loaded.set(pathname, asset);
      // A failed read is not remembered: the next request tries again.
      asset.catch(() => loaded.delete(pathname));
    }
    return asset;
  };

  return {
    // Returns a promise only for a file to serve: every request passes through here, and a promise
    // returned for each would make each later request hook wait a turn of the event loop.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(prefix)) return;
      if (url.pathname === `${prefix}/`) {
        // Relative, like the page's own links, so it holds behind a path prefix too.
        return endResponse(new fetchAPI.Response(null, { status: 308, headers: { location: '../docs' } }));
      }
      const source = sources.get(url.pathname);
      if (!source) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(options.respond(new MethodNotAllowedError(['GET', 'HEAD'])));
      }
      return assetOf(url.pathname, source).then((asset) => endResponse(serve(asset, request, fetchAPI)));
    },
  };
}
