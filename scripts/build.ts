/**
 * `npm run build [-- --out <dir>]`: the server as plain JavaScript in dist/ (or <dir>), with the
 * files it reads at run time, so that it starts without Node's TypeScript stripping. Stripping
 * loads a WebAssembly compiler into every process and keeps each module's TypeScript source
 * beside its JavaScript: measured on the embedded database, about 10-18 MiB of RSS.
 */
import { spawnSync } from 'node:child_process';
import { cp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');

/** Read at run time relative to the module that reads them, so they sit in the same place in the output. */
const RUNTIME_FILES = ['package.json', 'schema', 'src/rest/docs', 'src/mail/templates'];
/** The modules' SDL, beside their module.js (src/modules/module.ts). */
const isModuleSdl = (file: string): boolean => file.endsWith('.graphql') && !file.split(path.sep).includes('operations');

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = path.resolve(root, values.out);

await rm(out, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) {
  process.stderr.write('build: the TypeScript compiler failed (see above)\n');
  process.exit(1);
}
for (const file of RUNTIME_FILES) {
  // Only the SDL files themselves: schema/operations/ is client documents, not read by the server.
  await cp(path.join(root, file), path.join(out, file), {
    recursive: true,
    filter: (source) => !source.startsWith(path.join(root, 'schema', 'operations')),
  });
}
await cp(path.join(root, 'src'), path.join(out, 'src'), {
  recursive: true,
  filter: async (source) => isModuleSdl(source) || (await stat(source)).isDirectory(),
});
process.stdout.write(`build: ${path.relative(root, out) || '.'} is ready: node ${path.relative(root, path.join(out, 'src/main.js'))}\n`);
