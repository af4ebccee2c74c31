import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

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

/**
 * What the GraphiQL page is sent with, as the REST docs page is: never framed by another site
 * (clickjacking: CSP `frame-ancestors 'none'`, and X-Frame-Options for older browsers), never
 * sniffed as another type. The page inlines its scripts, so the policy leaves scripts alone.
 */
const GRAPHIQL_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

/** Adds GRAPHIQL_HEADERS to the GraphiQL page (the one HTML answer Yoga gives). */
export function useGraphiQLHeaders(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.get('content-type')?.startsWith('text/html')) return;
      for (const [name, value] of Object.entries(GRAPHIQL_HEADERS)) response.headers.set(name, value);
    },
  };
}
