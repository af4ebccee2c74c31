import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
// The machine's own npm and Node, as on a first install: not the pinned Node in node_modules/.bin.
const systemPath = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.includes('node_modules')).join(path.delimiter);

it('an install on the machine\'s Node prints no engine warnings (packages run on the pinned Node, not on the one running npm)', async () => {
  const run = promisify(execFile);
  const { stdout: version } = await run('node', ['--version'], { env: { PATH: systemPath } });
  const { stdout, stderr } = await run('npm', ['install', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: root,
    env: { PATH: systemPath, HOME: process.env.HOME ?? '' },
  });
  expect(`${stdout}${stderr}`, `npm on Node ${version.trim()}`).not.toMatch(/EBADENGINE|Unsupported engine/);
}, 120_000);
