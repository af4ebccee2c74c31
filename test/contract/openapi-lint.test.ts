import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DOCUMENT = path.join(root, 'generated/openapi.json');
const SPECTRAL = path.join(root, 'node_modules/@stoplight/spectral-cli/dist/index.js');
const REDOCLY = path.join(root, 'node_modules/@redocly/cli/bin/cli.js');
// The linters are slow to start on a busy machine.
const LINT_TIMEOUT_MS = 180_000;

/** Runs a linter's JS entry point on this Node, offline (no telemetry, no update check). */
function lint(entry: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface SpectralResult {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

/** Spectral's findings of severity error (0), as `rule at.path: message`. */
async function spectralErrors(document: string): Promise<string[]> {
  const result = await lint(SPECTRAL, ['lint', document, '--ruleset', path.join(root, '.spectral.yaml'), '--format', 'json', '--quiet']);
  const findings = JSON.parse(result.stdout || '[]') as SpectralResult[];
  if (findings.length === 0 && result.code !== 0) throw new Error(`spectral failed: ${result.stderr}`);
  return findings.filter((finding) => finding.severity === 0).map((finding) => `${finding.code} ${finding.path.join('.')}: ${finding.message}`);
}

let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the committed OpenAPI document under the linters API teams run', () => {
  it('has no errors under Spectral (spectral:oas and the OWASP API Security ruleset, .spectral.yaml)', async () => {
    expect(await spectralErrors(DOCUMENT)).toEqual([]);
  }, LINT_TIMEOUT_MS);

  it("still finds a request bound missing: the OWASP size rules are scoped to requests, not switched off", async () => {
    const document = JSON.parse(await readFile(DOCUMENT, 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: { schema: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> } }>>;
    };
    const users = document.paths['/users']?.get?.parameters?.find((parameter) => parameter.schema.type === 'integer');
    const body = document.paths['/create-role']?.post?.requestBody?.content['application/json']?.schema.properties;
    if (!users || !body?.name || !body.permissions) throw new Error('the document changed shape: adapt this test');
    delete users.schema.maximum;
    delete body.name.maxLength;
    delete body.permissions.maxItems;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'janus-lint-'));
    const broken = path.join(scratch, 'openapi.json');
    await writeFile(broken, JSON.stringify(document));
    const errors = await spectralErrors(broken);
    expect(errors.map((error) => error.split(':')[0])).toEqual(
      expect.arrayContaining([
        'janus-request-integer-limit paths./users.get.parameters.0.schema',
        'janus-request-string-limit paths./create-role.post.requestBody.content.application/json.schema.properties.name',
        'janus-request-array-limit paths./create-role.post.requestBody.content.application/json.schema.properties.permissions',
      ]),
    );
  }, LINT_TIMEOUT_MS);

  it('has no errors under Redocly `recommended` (redocly.yaml)', async () => {
    const result = await lint(REDOCLY, ['lint', DOCUMENT, '--config', path.join(root, 'redocly.yaml'), '--format', 'json']);
    const report = JSON.parse(result.stdout) as { totals: { errors: number }; problems: { ruleId: string; severity: string; message: string }[] };
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, LINT_TIMEOUT_MS);
});
