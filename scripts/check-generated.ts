/**
 * Fails when generated/ differs from what `npm run codegen` would write from schema/ today.
 */
import { readFile } from 'node:fs/promises';
import { generatedOutputs } from './generated-outputs.ts';

const outputs = await generatedOutputs();
const stale: string[] = [];
for (const { filename, content } of outputs) {
  const committed = await readFile(filename, 'utf8').catch(() => undefined);
  if (committed !== content) stale.push(filename);
}
if (stale.length > 0) {
  process.stderr.write(`Stale codegen output: ${stale.join(', ')}. Run \`npm run codegen\` and commit the result.\n`);
  process.exit(1);
}
process.stdout.write(`generated/ is up to date (${outputs.length} files)\n`);
