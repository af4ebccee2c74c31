import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSchema } from 'graphql-yoga';
import type { Context } from './context.ts';
import { resolvers } from './resolvers/index.ts';
import { refuseUnsafeTextArguments } from './text-arguments.ts';

const schemaDir = fileURLToPath(new URL('../../schema/', import.meta.url));

/** The SDL files of schema/, the single source of truth for types, operations and access rules. */
export function loadTypeDefs(): string[] {
  return readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(path.join(schemaDir, file), 'utf8'));
}

export function buildSchema() {
  return refuseUnsafeTextArguments(createSchema<Context>({ typeDefs: loadTypeDefs(), resolvers }));
}
