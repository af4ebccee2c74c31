import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import { composition } from '../app/composition.ts';
import { CommandFailed } from './dev-mail.ts';
import { MODULE_NAME_SHAPE, moduleFiles, namesOf } from './module-templates.ts';

type Print = (line: string) => void;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODULE_LIST = 'src/app/modules.ts';

/** Every type name and root field the composed SDL defines today. */
function definedNames(): Set<string> {
  const names = new Set<string>();
  for (const sdl of composition.typeDefs) {
    for (const definition of parse(sdl).definitions) {
      if (!('name' in definition) || !definition.name) continue;
      names.add(definition.name.value);
      if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) {
        for (const field of definition.fields ?? []) names.add(`${definition.name.value}.${field.name.value}`);
      }
    }
  }
  return names;
}

/** `YYYYMMDDhhmmss` of now, or one second after the newest migration when that is later. */
function migrationTimestamp(): string {
  const now = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const newest = composition.migrationDirs
    .flatMap((dir) => (existsSync(dir) ? readdirSync(dir) : []))
    .map((file) => /^Migration(\d{14})_/.exec(file)?.[1] ?? '')
    .reduce((a, b) => (a > b ? a : b), '');
  return now > newest ? now : String(Number(newest) + 1);
}

/**
 * `npm run janus -- new-module <name>`: writes src/<names>/ (SDL, resolvers, service, entity,
 * migration, client operations, integration tests), adds its one line to src/app/modules.ts and
 * regenerates generated/. Refuses a name that is not an identifier or that the API already uses.
 */
export async function newModule(name: string | undefined, print: Print): Promise<void> {
  if (!name || !MODULE_NAME_SHAPE.test(name)) {
    throw new CommandFailed(`new-module needs a lower-camel-case identifier such as note or blogPost, got ${JSON.stringify(name ?? '')}`);
  }
  const names = namesOf(name);
  const folder = path.join('src', names.kebab);
  if (existsSync(path.join(ROOT, folder))) throw new CommandFailed(`${folder} exists already: choose another name`);
  const defined = definedNames();
  const taken = [names.pascal, `Query.${names.plural}`, `Query.${names.camel}`, `Mutation.create${names.pascal}`, `Mutation.delete${names.pascal}`]
    .filter((used) => defined.has(used));
  if (taken.length > 0) throw new CommandFailed(`the API already defines ${taken.join(', ')}: choose another name`);

  for (const file of moduleFiles(names, migrationTimestamp())) {
    const target = path.join(ROOT, folder, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    print(`wrote ${path.join(folder, file.path)}`);
  }
  appendFileSync(path.join(ROOT, MODULE_LIST), `export { module as ${names.plural} } from '../${names.kebab}/module.ts';\n`);
  print(`added ${names.plural} to ${MODULE_LIST}`);
  // In a process of its own: it must import the module list as it is now, with the new line.
  const codegen = spawnSync(process.execPath, [path.join(ROOT, 'scripts/codegen.ts')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (codegen.status !== 0) throw new CommandFailed('npm run codegen failed (see above): the module is written, fix it and run codegen again');
  print('regenerated generated/');
  print(`next: npm test (or npx vitest run --project embedded ${folder}), npm start, npm run contract -- --base HEAD`);
}
