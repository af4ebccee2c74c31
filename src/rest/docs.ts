import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import type { Endpoint, Reply } from '../shared/reply.ts';
import { REST_DOCS_PATH } from './routes.ts';

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const OWN_DIR = fileURLToPath(new URL('docs/', import.meta.url));

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

function acceptsGzip(headers: IncomingHttpHeaders): boolean {
  return (headers['accept-encoding'] ?? '').split(',').some((part) => {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function serve(asset: Asset, headersIn: IncomingHttpHeaders): Reply {
  const gzipped = asset.gzipped !== undefined && acceptsGzip(headersIn) ? asset.gzipped : undefined;
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
    ...(asset.type === HTML ? { 'content-security-policy': DOCS_CSP, 'x-frame-options': 'DENY' } : {}),
  };
  const ifNoneMatch = headersIn['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) return { status: 304, headers };
  return { status: 200, headers, body: gzipped ?? asset.body };
}

/**
 * Swagger UI at `<basePath>/docs`, rendering the OpenAPI document from files served here (from
 * swagger-ui-dist), so it works offline: one endpoint per file, each read and compressed once,
 * on its first request. The page's URL with a trailing slash redirects to the page.
 */
export function restDocsEndpoints(basePath: string): Map<string, Endpoint> {
  const prefix = `${basePath}${REST_DOCS_PATH}`;
  const endpoints = new Map<string, Endpoint>();
  for (const [name, source] of Object.entries(DOCS_FILES)) {
    let loaded: Promise<Asset> | undefined;
    endpoints.set(`${prefix}${name}`, (request) => {
      if (!loaded) {
        loaded = loadAsset(source);
        // A failed read is not remembered: the next request tries again.
        loaded.catch(() => (loaded = undefined));
      }
      return loaded.then((asset) => serve(asset, request.headers));
    });
  }
  // Relative, like the page's own links, so it holds behind a path prefix too.
  endpoints.set(`${prefix}/`, () => ({ status: 308, headers: { location: '../docs' } }));
  return endpoints;
}
