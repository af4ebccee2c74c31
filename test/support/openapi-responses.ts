import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from '../../src/rest/openapi/document.ts';
import { OPENAPI_PATH, REST_DOCS_PATH } from '../../src/rest/routes.ts';

/** The committed contract: what REST consumers read and what every REST answer in the tests must match. */
export const openApiDocument = JSON.parse(
  readFileSync(new URL('../../generated/openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

// ajv-formats is CommonJS with a default export that TypeScript's NodeNext view leaves nested.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true, keywords: ['components'] }));
ajv.addSchema({ $id: 'janus', components: openApiDocument.components }, 'janus');

const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // Refs in the document point at #/components/…: resolve them against the schema registered above.
    validate = ajv.compile(JSON.parse(key.replaceAll('"#/components/', '"janus#/components/')) as object);
    validators.set(key, validate);
  }
  return validate;
}

const templates = Object.keys(openApiDocument.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The headers every answer must carry where documented; CORS headers depend on the request's Origin. */
const HEADER_NAMES: Record<string, string> = {
  '#/components/headers/X-Request-Id': 'x-request-id',
  '#/components/headers/Retry-After': 'retry-after',
  '#/components/headers/WWW-Authenticate': 'www-authenticate',
};

/** Paths under the REST base that serve documents, not routes. */
const DOCUMENT_PATHS = [OPENAPI_PATH, REST_DOCS_PATH];

export interface RestAnswer {
  method: string;
  /** The path below the REST base, query string included or not. */
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Throws unless the answer is one the OpenAPI document promises for that route: a documented
 * status, a body matching its schema and the headers it names. A path or method without a
 * route may only answer 404 or 405 with the error body.
 */
export function assertDocumentedAnswer(answer: RestAnswer): void {
  const pathname = answer.path.split('?')[0] ?? '';
  if (DOCUMENT_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`))) return;
  const where = `${answer.method} ${pathname} → ${answer.status}`;
  const template = templates.find(({ pattern }) => pattern.test(pathname))?.template;
  const operation = template ? openApiDocument.paths[template]?.[answer.method.toLowerCase() as 'get' | 'post'] : undefined;
  if (!operation) {
    if (answer.status !== 404 && answer.status !== 405) throw new Error(`${where}: no such route, yet not 404/405`);
    check(where, { $ref: '#/components/schemas/ErrorBody' }, answer.body);
    return;
  }
  const response = operation.responses[String(answer.status)];
  if (!response) throw new Error(`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
  const schema = response.content?.['application/json']?.schema;
  if (schema) check(where, schema, answer.body);
  for (const [name, ref] of Object.entries(response.headers ?? {})) {
    const header = HEADER_NAMES[ref.$ref];
    if (header && !answer.headers.has(header)) throw new Error(`${where}: the documented header ${name} is missing`);
  }
}

function check(where: string, schema: object, body: unknown): void {
  const validate = validatorFor(schema);
  if (!validate(body)) throw new Error(`${where}: body does not match the document: ${ajv.errorsText(validate.errors)}`);
}
