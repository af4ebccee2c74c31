import type { GraphiQLOptions } from 'graphql-yoga';

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
