import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { Reporter, TestModule } from 'vitest/node';

/** The browser the e2e tests drive: Debian's `chromium`, or the binary JANUS_CHROMIUM names. */
export const CHROMIUM = process.env.JANUS_CHROMIUM ?? '/usr/bin/chromium';

/** One line saying Chromium is missing and how to install it; undefined when it is there. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `The browser tests (test/e2e) need Chromium, not found at ${CHROMIUM}: install it with \`apt-get install chromium\`, or set JANUS_CHROMIUM to a Chromium binary.`;
}

/**
 * Headless Chromium as the browser tests run it, or an error saying how to install it. The flags
 * keep it off the network it would otherwise reach for at every start (updates, sync, QUIC).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/**
 * Outside CI a machine without Chromium skips the browser tests (ChromiumNotice says so at the end
 * of the run); in CI they fail, so that a pipeline never passes without testing the explorers.
 */
export function skipBrowserTests(): boolean {
  const ci = process.env.CI;
  return chromiumMissing() !== undefined && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

/** Prints chromiumMissing's line as the run's last when the e2e project's tests were skipped for it. */
export class ChromiumNotice implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const missing = chromiumMissing();
    if (!missing || !skipBrowserTests() || !testModules.some((module) => module.project.name === 'e2e')) return;
    process.stdout.write(`\nSkipped: ${missing}\n`);
  }
}
