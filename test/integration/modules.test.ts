import { afterAll, beforeAll, expect, it } from 'vitest';
import { composition } from '../../src/app/composition.ts';
import { adminCalls } from '../support/admin-calls.ts';
import { accountWithRole, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it.each(SURFACES)('gives the admin role every permission the modules declare (%s)', async (surface) => {
  const admin = await accountWithRole(server, 'admin');
  const roles = await perform(server, surface, adminCalls.roles(), admin.token);
  const adminRole = roles.data!.find((role) => role.name === 'admin')!;
  expect(adminRole.permissions).toEqual(expect.arrayContaining(composition.permissions));
});
