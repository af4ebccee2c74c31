import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { ChromiumNotice } from './test/support/chromium.ts';

const require = createRequire(import.meta.url);

// A module's integration tests live in its folder (src/<module>/*.test.ts).
const integration = ['test/integration/**/*.test.ts', 'src/**/*.test.ts'];

/**
 * Unit and contract tests once; integration tests against the embedded database and, when
 * TEST_DATABASE_URL is set, again against that PostgreSQL server; browser tests (headless
 * Chromium) once, on the embedded database.
 */
export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds; Node loads the CJS one for Yoga, so the tests' imports
    // must resolve to it too, or `instanceof GraphQLError` fails across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    // The default output, then one line at the end if the browser tests were skipped for want of Chromium.
    reporters: ['default', new ChromiumNotice()],
    // Generous: integration tests start servers and PGlite, and CI machines are shared.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'] } },
      { extends: true, test: { name: 'embedded', include: integration, env: { JANUS_TEST_DB: 'embedded' } } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env: { JANUS_TEST_DB: 'embedded' } } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ extends: true, test: { name: 'postgres', include: integration, env: { JANUS_TEST_DB: 'server' } } }]
        : []),
    ],
  },
});
