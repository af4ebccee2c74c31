import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { compileAccessRules } from '../../src/auth/access-rules.ts';
import { appSchema } from '../../src/app/composition.ts';
import { buildOpenApiDocument } from '../../src/rest/openapi/document.ts';
import { errorCodesOf } from '../../src/rest/openapi/error-responses.ts';
import { API_INFO } from '../../src/rest/openapi/info.ts';
import { restRoutesOf } from '../../src/rest/routes.ts';
import { SAFE_TEXT_PATTERN, TEXT_MAX_LENGTH } from '../../src/shared/text-rule.ts';
import { assertDocumentedAnswer, openApiDocument } from '../support/openapi-responses.ts';

const schema = appSchema();
const operations = Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation! })),
);
const byId = (id: string) => {
  const found = operations.find(({ operation }) => operation.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found.operation;
};

describe('the committed OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(openApiDocument) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is what the schema builds today, which is also what the server serves', () => {
    expect(buildOpenApiDocument(schema, API_INFO)).toEqual(openApiDocument);
  });

  it('has one route per root field, each with a unique operationId, a summary and a description', () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) => Object.keys(type?.getFields() ?? {}));
    expect(operations.map(({ operation }) => operation.operationId).sort()).toEqual([...rootFields].sort());
    for (const { operation } of operations) {
      expect(operation.summary.length).toBeGreaterThan(0);
      expect(operation.description.startsWith(operation.summary.slice(0, 20))).toBe(true);
    }
  });

  it('takes mutation arguments only as a JSON body, never as query parameters', () => {
    for (const { method, operation } of operations.filter(({ method }) => method === 'post')) {
      expect(operation.parameters, operation.operationId).toBeUndefined();
    }
    expect(byId('loginUser').requestBody?.content['application/json'].schema).toMatchObject({
      required: ['email', 'password'],
      additionalProperties: false,
    });
    const parameterNames = operations.flatMap(({ operation }) => (operation.parameters ?? []).map((parameter) => parameter.name));
    const secrets = new Set(restRoutesOf(schema).flatMap((route) => [...route.secretArguments]));
    expect(secrets.size).toBeGreaterThan(0);
    expect(parameterNames.filter((name) => secrets.has(name))).toEqual([]);
  });

  it('requires the bearer scheme exactly on the routes that need a token (optional on public ones), and documents 401 on every route', () => {
    const rules = compileAccessRules(schema);
    for (const { operation } of operations) {
      const key = [...rules.keys()].find((name) => name.endsWith(`.${operation.operationId}`))!;
      const isPublic = rules.get(key)?.kind === 'public';
      expect(operation.security, operation.operationId).toEqual(isPublic ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }]);
      // On a public route too: a bearer token Janus never issued is refused wherever it is sent.
      expect(operation.responses['401']?.description, operation.operationId).toContain('UNAUTHENTICATED');
    }
  });

  it('states the input rules as schema constraints', () => {
    const register = byId('registerUser').requestBody!.content['application/json'].schema.properties!;
    expect(register.email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    expect(register.password).toMatchObject({ type: 'string', maxLength: 72 });
    expect(register.firstName).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(register.phoneNumber).toMatchObject({ maxLength: 32, pattern: expect.any(String) });
    const users = byId('users').parameters!;
    expect(users.find((parameter) => parameter.name === 'first')).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647, default: 20 },
    });
    // The bounds of every argument: the text rule's length and characters, unless a rule of the field is tighter.
    expect(users.find((parameter) => parameter.name === 'after')?.schema).toMatchObject({ maxLength: TEXT_MAX_LENGTH, pattern: SAFE_TEXT_PATTERN });
    expect(byId('loginUser').requestBody!.content['application/json'].schema.properties!.password).toMatchObject({ maxLength: TEXT_MAX_LENGTH });
    expect(byId('user').parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(byId('createRole').requestBody!.content['application/json'].schema.properties!.permissions).toMatchObject({
      type: 'array',
      maxItems: 100,
      items: { type: 'string', pattern: expect.any(String) },
    });
  });

  it('documents the CORS origin header on every response, the token scheme as RFC 8725, and the server as public', () => {
    for (const { operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.headers, `${operation.operationId} ${status}`).toHaveProperty('Access-Control-Allow-Origin');
      }
    }
    expect(openApiDocument.components.securitySchemes.bearerAuth?.description).toContain('RFC8725');
    expect(openApiDocument.servers).toEqual([{ url: '/rest', 'x-internal': false }]);
  });

  it('lists every response a route can give, with Retry-After on 429 and WWW-Authenticate on 401', () => {
    expect(Object.keys(byId('registerUser').responses)).toEqual(['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']);
    expect(Object.keys(byId('me').responses)).toEqual(['200', '400', '401', '500', '503']);
    expect(Object.keys(byId('roles').responses)).toEqual(['200', '400', '401', '403', '500', '503']);
    expect(Object.keys(byId('user').responses)).toEqual(['200', '400', '401', '403', '404', '500', '503']);
    expect(byId('loginUser').responses['429']?.headers).toHaveProperty('Retry-After');
    expect(byId('loginUser').responses['401']?.description).toContain('INVALID_CREDENTIALS');
    expect(byId('me').responses['401']?.headers).toHaveProperty('WWW-Authenticate');
  });

  it('refuses an @errors code that is not in the error table', () => {
    expect(() => errorCodesOf({ method: 'GET', access: { kind: 'public' }, rateLimited: false, declared: ['TEAPOT'] }, 'Query.x')).toThrow(/TEAPOT/);
  });
});

describe('the REST answer check the integration tests run on every answer', () => {
  const unauthenticated = { errors: [{ message: 'A valid access token is required', extensions: { code: 'UNAUTHENTICATED' } }] };
  const headers = new Headers({ 'x-request-id': 'r', 'www-authenticate': 'Bearer realm="janus"' });

  it('accepts a documented answer', () => {
    expect(() => assertDocumentedAnswer({ method: 'GET', path: '/me', status: 401, headers, body: unauthenticated })).not.toThrow();
  });

  it('rejects an undocumented status, a body off the schema and a missing documented header', () => {
    expect(() => assertDocumentedAnswer({ method: 'GET', path: '/me', status: 409, headers, body: unauthenticated })).toThrow(/not documented/);
    expect(() => assertDocumentedAnswer({ method: 'GET', path: '/me', status: 200, headers, body: { id: 7 } })).toThrow(/does not match/);
    expect(() => assertDocumentedAnswer({ method: 'GET', path: '/me', status: 401, headers: new Headers({ 'x-request-id': 'r' }), body: unauthenticated })).toThrow(/WWW-Authenticate/);
    expect(() => assertDocumentedAnswer({ method: 'GET', path: '/nope', status: 200, headers, body: {} })).toThrow(/no such route/);
  });
});
