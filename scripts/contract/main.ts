/**
 * `npm run contract -- --base <git ref | file | folder> [--allow-breaking]`: compares the GraphQL
 * schema and the REST routes built from the SDL (schema/ and the modules') now with a base, prints breaking, dangerous and
 * safe changes, and exits 1 on a breaking change unless --allow-breaking.
 */
import { parseArgs } from 'node:util';
import { buildSchema as parseSdl } from 'graphql';
import { appSchema, composition } from '../../src/app/composition.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../src/rest/openapi/document.ts';
import { API_INFO } from '../../src/rest/openapi/info.ts';
import { loadBase } from './base.ts';
import { LEVELS, type Change } from './change.ts';
import { graphqlChanges } from './graphql-diff.ts';
import { restChanges } from './rest-diff.ts';

const MARK: Record<Change['level'], string> = { breaking: '✖ breaking ', dangerous: '⚠ dangerous', safe: '✔ safe     ' };

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run contract -- --base <git ref | file | folder> [--allow-breaking]\n`);
  process.exit(2);
}

function print(title: string, changes: Change[] | undefined, missing: string): void {
  process.stdout.write(`\n${title}\n`);
  if (!changes) {
    process.stdout.write(`  (not compared: ${missing})\n`);
    return;
  }
  if (changes.length === 0) process.stdout.write('  no changes\n');
  for (const level of LEVELS) {
    for (const change of changes.filter((candidate) => candidate.level === level)) process.stdout.write(`  ${MARK[level]}  ${change.message}\n`);
  }
}

let options: { base?: string; 'allow-breaking'?: boolean };
try {
  options = parseArgs({ options: { base: { type: 'string' }, 'allow-breaking': { type: 'boolean' } } }).values;
} catch (error) {
  usage((error as Error).message);
}
if (!options.base) usage('--base is required');

let base;
try {
  base = loadBase(options.base);
} catch (error) {
  usage((error as Error).message);
}

const schema = appSchema();
// Compared as SDL on both sides: the executable schema's scalars carry their resolvers' (empty) descriptions.
const graphql = base.schemaSdl === undefined ? undefined : await graphqlChanges(parseSdl(base.schemaSdl), parseSdl(composition.typeDefs.join('\n')));
const rest =
  base.openApiJson === undefined
    ? undefined
    : restChanges(JSON.parse(base.openApiJson) as OpenApiDocument, buildOpenApiDocument(schema, API_INFO));

process.stdout.write(`Contract changes since ${base.label}\n`);
print('GraphQL schema', graphql, 'the base has no printed schema');
print('REST routes (OpenAPI)', rest, 'the base has no OpenAPI document');

const all = [...(graphql ?? []), ...(rest ?? [])];
const count = (level: Change['level']) => all.filter((change) => change.level === level).length;
process.stdout.write(`\n${count('breaking')} breaking, ${count('dangerous')} dangerous, ${count('safe')} safe\n`);
if (graphql === undefined && rest === undefined) usage(`${base.label} holds neither a printed schema nor an OpenAPI document`);
if (count('breaking') > 0 && !options['allow-breaking']) {
  process.stderr.write('Breaking changes: fix them, or pass --allow-breaking when they are intended (and announced).\n');
  process.exit(1);
}
