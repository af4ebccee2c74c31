/** Writes generated/ from schema/: see generated-outputs.ts for what it holds. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatedOutputs } from './generated-outputs.ts';

for (const { filename, content } of await generatedOutputs()) {
  await mkdir(path.dirname(filename), { recursive: true });
  await writeFile(filename, content);
  process.stdout.write(`wrote ${filename}\n`);
}
