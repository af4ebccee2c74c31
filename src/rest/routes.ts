import { getNamedType, isListType, isNonNullType, isObjectType, isRequiredArgument, type GraphQLField, type GraphQLSchema } from 'graphql';
import { isSecretArgument } from '../graphql/secret-arguments.ts';

export interface RestRoute {
  /** `Type.field`, as SOFA's `routes` option names it. */
  key: string;
  /** The root field the route runs. */
  field: GraphQLField<unknown, unknown>;
  method: 'GET' | 'POST';
  /** Relative to the REST base path, SOFA style: `/user/:id`. */
  path: string;
  /** Every argument the field takes, wherever the client sends it. */
  argumentNames: ReadonlySet<string>;
  /** The arguments the SDL marks @secret: never accepted in the query string. */
  secretArguments: ReadonlySet<string>;
  /** The arguments a POST route's JSON body must hold (non-null, without a default). */
  bodyRequired: readonly string[];
  matches(pathname: string): boolean;
}

export const REST_BASE_PATH = '/rest';
/** Under REST_BASE_PATH, beside the routes: the OpenAPI document and the page that renders it. */
export const OPENAPI_PATH = '/openapi.json';
export const REST_DOCS_PATH = '/docs';

/** Whether a request's full path is the REST base path or lies under it. */
export const isUnderBasePath = (basePath: string, pathname: string): boolean =>
  pathname === basePath || pathname.startsWith(`${basePath}/`);

/** A request's full path as routes match it: relative to the REST base path. */
const routePathOf = (basePath: string, pathname: string): string => pathname.slice(basePath.length) || '/';

/** Every route at a request's full path (one per method). */
export function routesAt(routes: readonly RestRoute[], basePath: string, pathname: string): RestRoute[] {
  const path = routePathOf(basePath, pathname);
  return routes.filter((route) => route.matches(path));
}

/**
 * The fields (`Type.field`) whose nested object SOFA must answer in full: every object type that
 * has an id, wherever it is nested (a login's user, a list's nodes, a note's owner). By default
 * SOFA answers such an object with `{ id }` alone, which no client asked for. Decided once per schema.
 */
export function fullObjectFieldsOf(schema: GraphQLSchema): string[] {
  const fields: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named) && 'id' in named.getFields()) fields.push(`${type.name}.${field.name}`);
    }
  }
  return fields;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function returnsSingleObject(field: GraphQLField<unknown, unknown>): boolean {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  return !isListType(type) && isObjectType(getNamedType(type));
}

/**
 * The REST routes, decided here once and handed to SOFA, so that the routes SOFA serves and the
 * routes the request guard checks come from one place: a query is GET, a mutation POST, the path
 * is the field name in kebab-case, and a query for one object by `id` takes it in the path.
 */
export function restRoutesOf(schema: GraphQLSchema): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [root, method] of [[schema.getQueryType(), 'GET'], [schema.getMutationType(), 'POST']] as const) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const byId = method === 'GET' && returnsSingleObject(field) && field.args.some((arg) => arg.name === 'id');
      const base = `/${kebab(field.name)}`;
      const pattern = byId ? new RegExp(`^${base}/[^/]+$`) : new RegExp(`^${base}$`);
      routes.push({
        key: `${root.name}.${field.name}`,
        field,
        method,
        path: byId ? `${base}/:id` : base,
        argumentNames: new Set(field.args.map((arg) => arg.name)),
        secretArguments: new Set(field.args.filter(isSecretArgument).map((arg) => arg.name)),
        bodyRequired: method === 'POST' ? field.args.filter(isRequiredArgument).map((arg) => arg.name) : [],
        matches: (pathname) => pattern.test(pathname),
      });
    }
  }
  return routes;
}

export function sofaRoutesOf(routes: readonly RestRoute[]): Record<string, { method: 'GET' | 'POST'; path: string }> {
  return Object.fromEntries(routes.map((route) => [route.key, { method: route.method, path: route.path }]));
}
