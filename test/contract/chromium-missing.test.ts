import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const INSTALL_LINE = 'The browser tests (test/e2e) need Chromium, not found at /nowhere/chromium: install it with `apt-get install chromium`, or set JANUS_CHROMIUM to a Chromium binary.';

/** `vitest run --project e2e` as `npm test` runs it, on a machine whose Chromium is missing. */
async function e2eWithoutChromium(env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', JANUS_CHROMIUM: '/nowhere/chromium', ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

it('outside CI, skips the browser tests and ends the run with one line saying how to install Chromium', async () => {
  const { code, output } = await e2eWithoutChromium({});
  expect(code).toBe(0);
  // Every browser test skipped, however many there are.
  expect(output).toMatch(/Tests\s+(\d+) skipped \(\1\)/);
  expect(output.trimEnd().split('\n').at(-1)).toBe(`Skipped: ${INSTALL_LINE}`);
  expect(output).not.toMatch(/browserType|playwright/i);
}, 120_000);

it('with CI=true, fails the browser tests with that line instead of skipping them', async () => {
  const { code, output } = await e2eWithoutChromium({ CI: 'true' });
  expect(code).toBe(1);
  expect(output).toContain(`Error: ${INSTALL_LINE}`);
  expect(output).not.toContain('Skipped:');
  expect(output).not.toMatch(/browserType|playwright/i);
}, 120_000);
