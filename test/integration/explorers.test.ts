import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * node:http rather than fetch: fetch normalises `..` and `%2e%2e` out of the path and decodes
 * gzip, and these tests need to send and see exactly what is on the wire.
 */
function raw(server: TestServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    // The path as given: only a URL string or object would be normalised.
    const sent = request({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(options.body);
  });
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('REST docs page', () => {
  it('is an HTML page that loads only its own files, with a CSP that forbids inline scripts', async () => {
    const response = await raw(server, '/rest/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = response.body.toString();
    expect(html).toContain('<script src="docs/swagger-ui-bundle.js"></script>');
    expect(html).toContain('<script src="docs/init.js"></script>');
    expect(html).not.toMatch(/<script>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it.each([
    ['/rest/docs/swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ['/rest/docs/init.js', 'text/javascript; charset=utf-8'],
    ['/rest/docs/swagger-ui.css', 'text/css; charset=utf-8'],
    ['/rest/docs/favicon-32x32.png', 'image/png'],
  ])('serves %s as %s, cacheable for an hour', async (path, type) => {
    const response = await raw(server, path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
  });

  it('points Swagger UI at the OpenAPI document relative to the page and off the public validator', async () => {
    const script = (await raw(server, '/rest/docs/init.js')).body.toString();
    expect(script).toContain("url: 'openapi.json'");
    expect(script).toContain('validatorUrl: null');
  });

  it('sends gzip to a client that accepts it, as its own representation', async () => {
    const plain = await raw(server, '/rest/docs/swagger-ui-bundle.js');
    const zipped = await raw(server, '/rest/docs/swagger-ui-bundle.js', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);

    const refused = await raw(server, '/rest/docs/swagger-ui-bundle.js', { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const first = await raw(server, '/rest/docs/swagger-ui.css');
    const again = await raw(server, '/rest/docs/swagger-ui.css', { headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const head = await raw(server, '/rest/docs/swagger-ui.css', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body.length).toBe(0);
  });

  it('answers 405 to other methods', async () => {
    const response = await raw(server, '/rest/docs', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(response.body.toString())).toEqual({
      errors: [{ message: 'Method not allowed; use GET or HEAD', extensions: { code: 'METHOD_NOT_ALLOWED' } }],
    });
  });

  it('redirects the trailing-slash form to the page', async () => {
    const response = await raw(server, '/rest/docs/');
    expect(response.status).toBe(308);
    expect(response.headers.location).toBe('../docs');
  });

  it.each([
    '/rest/docs/index.html',
    '/rest/docs/swagger-ui.js', // in swagger-ui-dist, but not a file the page uses
    '/rest/docs/package.json',
    '/rest/docs/../../package.json',
    '/rest/docs/%2e%2e/x',
    '/rest/docs/%2e%2e/%2e%2e/package.json',
    '/rest/docs/..%2f..%2fpackage.json',
    '/rest/docs/swagger-ui.css/',
    '/rest/docs/init.js/..%2f..%2f..%2fpackage.json',
    '/rest/docsx',
  ])('answers 404 with the REST error shape to %s', async (path) => {
    const response = await raw(server, path);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body.toString())).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });
});

describe('GraphiQL', () => {
  it('is served to a browser from the package, with no asset from a CDN', async () => {
    const response = await raw(server, '/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body.toString();
    expect(html).toContain('<title>Janus GraphiQL</title>');
    expect(html).not.toMatch(/(src|href)=["'](https?:)?\/\//);
    expect(html).not.toMatch(/@import\s+(url\()?["']?https?:/);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net|fonts\.googleapis\.com|fonts\.gstatic\.com/);
  });

  it('is never framed nor sniffed: CSP frame-ancestors \'none\', X-Frame-Options DENY and nosniff, as the REST docs page', async () => {
    for (const [path, headers] of [['/graphql', { accept: 'text/html' }], ['/rest/docs', {}]] as const) {
      const response = await raw(server, path, { headers });
      expect(response.status, path).toBe(200);
      expect(response.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options'], path).toBe('DENY');
      expect(response.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });
});

describe('a hostile Host header', () => {
  it.each(['evil.example', 'evil.example/rest/me#', 'evil.example/graphql?query={me{id}}#'])('changes nothing Yoga answers (Host: %s)', async (host) => {
    const page = await raw(server, '/graphql', { headers: { accept: 'text/html', host } });
    expect(page.status).toBe(200);
    expect(page.body.toString()).not.toContain('evil.example');
    const answer = await raw(server, '/graphql', {
      method: 'POST',
      headers: { host, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps Yoga on the path the edge checked: a REST body on /graphql with Host: evil.example/rest/login-user# is a GraphQL request, never a login', async () => {
    const answer = await raw(server, '/graphql', {
      method: 'POST',
      headers: { host: 'evil.example/rest/login-user#', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: 'not-checked-by-the-rest-guard' }),
    });
    const text = answer.body.toString();
    expect(text).not.toContain('INVALID_CREDENTIALS');
    expect(JSON.parse(text)).toMatchObject({ errors: [{ message: expect.stringMatching(/parameter "email"/), extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});

describe('in production', () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: 'ab'.repeat(32) });
  });
  afterAll(() => production?.close());

  it('has no GraphiQL by default', async () => {
    // Yoga finds no response type the browser accepts once GraphiQL is off.
    expect((await raw(production, '/graphql', { headers: { accept: 'text/html' } })).status).toBe(406);
  });

  it('still serves the REST docs, which show only the public OpenAPI document', async () => {
    expect((await raw(production, '/rest/docs')).status).toBe(200);
  });
});
