import { afterAll, beforeAll, expect, it } from 'vitest';
import { openApiDocument } from '../support/openapi-responses.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('serves the committed OpenAPI document at /rest/openapi.json, not SOFA’s', async () => {
  const response = await fetch(`${server.running.restUrl}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual(openApiDocument);
});

it('answers a HEAD request for the document without a body and refuses other methods', async () => {
  const head = await fetch(`${server.running.restUrl}/openapi.json`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
  const post = await fetch(`${server.running.restUrl}/openapi.json`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
});
