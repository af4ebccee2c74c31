/**
 * The ceiling: a bare graphql-yoga server (production defaults, no auth, no database) answering
 * the bench's `me` selection from a constant, on GraphQL and, through the same SOFA plugin Janus
 * uses, on GET /rest/me. Whatever Janus does on top of Yoga can only make it slower than this, so
 * Janus ÷ ceiling is the share of the framework's own rate that Janus keeps. Run as a child
 * process (same Node, same core as the Janus under test). Prints
 * `yoga ceiling listening http://127.0.0.1:<port>` once ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { createSchema, createYoga } from 'graphql-yoga';

const ME = {
  id: '00000000-0000-4000-8000-000000000000',
  email: 'ceiling@example.com',
  firstName: 'Ceiling',
  lastName: 'Yoga',
  phoneNumber: '+15555550100',
  role: 'user',
  createdAt: '2026-01-01T00:00:00.000Z',
};

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type User {
      id: ID!
      email: String!
      firstName: String!
      lastName: String!
      phoneNumber: String!
      role: String!
      createdAt: String!
    }
    type Query {
      me: User!
    }
  `,
  resolvers: { Query: { me: () => ME } },
});

const yoga = createYoga({ schema, plugins: [useSofa({ basePath: '/rest' })] });
const server = createServer(yoga);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`yoga ceiling listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
