import { GraphQLNonNull, isNonNullType, type GraphQLArgument, type GraphQLField, type GraphQLSchema } from 'graphql';
import { compileAccessRules, type AccessRule } from '../../auth/access-rules.ts';
import { directiveValues } from '../../graphql/directive-values.ts';
import { rateLimitedFieldsOf } from '../../ratelimit/plugin.ts';
import { REST_BASE_PATH, restRoutesOf, type RestRoute } from '../routes.ts';
import { ERROR_COMPONENTS, errorCodesOf, errorResponsesOf, responseHeadersOf, type ResponseObject } from './error-responses.ts';
import { withInputBounds } from './input-bounds.ts';
import { INPUT_RULES } from './input-rules.ts';
import type { JsonSchema } from './json-schema.ts';
import { objectSchema, reachableObjectTypes, schemaOfType, withDescription } from './type-schemas.ts';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, ResponseObject>;
  /** Absent in documents from before every operation declared it. */
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: OpenApiInfo;
  servers: { url: string; 'x-internal': boolean }[];
  paths: Record<string, Partial<Record<'get' | 'post', Operation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    headers: typeof ERROR_COMPONENTS.headers;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }>;
  };
}

type RootField = GraphQLField<unknown, unknown>;

function firstSentence(text: string): string {
  const match = /^[\s\S]*?[.!?](?=\s|$)/.exec(text.trim());
  return (match ? match[0] : text.trim()).replace(/\s+/g, ' ');
}

/** In a URL an argument is present or absent, never null: parameters take the non-null type. */
function argumentSchema(field: RootField, arg: GraphQLArgument, where: 'url' | 'body'): JsonSchema {
  const base = schemaOfType(where === 'url' && !isNonNullType(arg.type) ? new GraphQLNonNull(arg.type) : arg.type);
  const rule = INPUT_RULES[`${field.name}.${arg.name}`] ?? {};
  const items = base.items && rule.items ? { ...base.items, ...rule.items } : base.items;
  const schema: JsonSchema = withInputBounds({ ...base, ...rule, ...(items ? { items } : {}) });
  if (arg.defaultValue !== undefined) schema.default = arg.defaultValue;
  return withDescription(schema, rule.description ?? arg.description);
}

function isRequired(arg: GraphQLArgument): boolean {
  return arg.type.toString().endsWith('!') && arg.defaultValue === undefined;
}

function parametersOf(route: RestRoute, field: RootField): Parameter[] {
  return field.args.map((arg) => {
    const inPath = route.path.includes(`:${arg.name}`);
    const schema = argumentSchema(field, arg, 'url');
    const { description, ...rest } = schema;
    return {
      name: arg.name,
      in: inPath ? 'path' : 'query',
      required: inPath || isRequired(arg),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/** A mutation's arguments travel only in the JSON body: as query parameters they would put passwords in URLs. */
function requestBodyOf(field: RootField): Operation['requestBody'] {
  const properties = Object.fromEntries(field.args.map((arg) => [arg.name, argumentSchema(field, arg, 'body')]));
  const required = field.args.filter(isRequired).map((arg) => arg.name);
  return {
    required: required.length > 0,
    content: {
      'application/json': {
        schema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false },
      },
    },
  };
}

function accessNote(access: AccessRule): string {
  if (access.kind === 'public') return 'No access token needed; one that is sent must be valid.';
  const secondFactor =
    (access.mfa ? ', from a login that used a second factor (else MFA_REQUIRED)' : '') +
    (access.recentLogin ? ', from a login within `JANUS_REAUTH_MAX_AGE` seconds (else REAUTHENTICATION_REQUIRED)' : '');
  if (access.kind === 'authenticated') return `Needs a valid access token${secondFactor}.`;
  return `Needs a valid access token${secondFactor} whose role grants \`${access.permission}\`.`;
}

function operationOf(schema: GraphQLSchema, route: RestRoute, access: AccessRule, rateLimited: boolean): Operation {
  const { field } = route;
  const declared = (directiveValues(schema, field, 'errors')?.codes as string[] | undefined) ?? [];
  if (!field.description) throw new Error(`${route.key} needs a description in the SDL: it becomes the route's summary`);
  const codes = errorCodesOf({ method: route.method, access, rateLimited, declared }, route.key);
  return {
    operationId: field.name,
    summary: firstSentence(field.description),
    description: `${field.description.trim()}\n\n${accessNote(access)}`,
    // On a public route a token is optional (`{}`), but one that is sent must be valid.
    security: access.kind === 'public' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    ...(route.method === 'GET' && field.args.length > 0 ? { parameters: parametersOf(route, field) } : {}),
    ...(route.method === 'POST' && field.args.length > 0 ? { requestBody: requestBodyOf(field) } : {}),
    responses: {
      '200': {
        description: 'The result of the operation.',
        headers: responseHeadersOf(200),
        content: { 'application/json': { schema: schemaOfType(field.type) } },
      },
      ...errorResponsesOf(codes),
    },
  };
}

/**
 * The OpenAPI 3.1 document of the REST routes, built from the schema and its directives: which
 * routes exist (rest-routes), who may call them (@public/@authenticated/@requiresPermission),
 * what they can fail with (@errors, @rateLimit and the access rule) and what the services
 * accept (INPUT_RULES). It replaces SOFA's own document, which lists a mutation's arguments as
 * query parameters too, and documents neither errors nor input rules.
 */
export function buildOpenApiDocument(schema: GraphQLSchema, info: OpenApiInfo): OpenApiDocument {
  const access = compileAccessRules(schema);
  const rateLimited = new Set(rateLimitedFieldsOf(schema).map(({ type, field }) => `${type}.${field}`));
  const paths: OpenApiDocument['paths'] = {};
  const returned: RootField['type'][] = [];
  for (const route of restRoutesOf(schema)) {
    const rule = access.get(route.key);
    if (!rule) throw new Error(`No access rule for the route ${route.key}`);
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const method = route.method === 'GET' ? 'get' : 'post';
    if (paths[path]?.[method]) throw new Error(`Two routes for ${route.method} ${path}`);
    paths[path] = { ...paths[path], [method]: operationOf(schema, route, rule, rateLimited.has(route.key)) };
    returned.push(route.field.type);
  }
  const schemas: Record<string, JsonSchema> = Object.fromEntries(
    reachableObjectTypes(returned).map((type) => [type.name, objectSchema(type)]),
  );
  return {
    openapi: '3.1.0',
    info,
    // Janus's REST API is meant for clients outside the deployment too.
    servers: [{ url: REST_BASE_PATH, 'x-internal': false }],
    paths,
    components: {
      schemas: { ...schemas, ...ERROR_COMPONENTS.schemas },
      headers: ERROR_COMPONENTS.headers,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: [
            'The `token` of `loginUser`, `registerUser` or `refreshToken`, from REST or GraphQL alike.',
            'Janus issues and verifies these JWTs following RFC8725 (JSON Web Token Best Current Practices):',
            'one configured algorithm (EdDSA by default; never `none`), an explicit `typ` (`at+jwt`, RFC 9068),',
            'and the issuer, audience, expiry and key id checked on every request.',
          ].join(' '),
        },
      },
    },
  };
}
