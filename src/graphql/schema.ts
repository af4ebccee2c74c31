import { createSchema } from 'graphql-yoga';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import type { Context } from './context.ts';
import { refuseUnsafeTextArguments } from './text-arguments.ts';

/** The executable schema of composed SDL (schema/ and the modules', the single source of truth) and resolvers. */
export function buildSchema(parts: { typeDefs: readonly string[]; resolvers: Resolvers }) {
  return refuseUnsafeTextArguments(createSchema<Context>({ typeDefs: [...parts.typeDefs], resolvers: parts.resolvers }));
}
