import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/rest/openapi/document.ts';
import { restChanges } from '../../scripts/contract/rest-diff.ts';
import { openApiDocument } from '../support/openapi-responses.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function contract(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/contract/main.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A base folder holding the committed artefacts, edited by `change` to stand for an older contract. */
function baseWith(change: (document: OpenApiDocument, sdl: string) => string | void): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'janus-contract-'));
  const document = structuredClone(openApiDocument);
  const sdl = readFileSync(path.join(root, 'generated/schema.graphql'), 'utf8');
  const editedSdl = change(document, sdl) ?? sdl;
  writeFileSync(path.join(folder, 'openapi.json'), JSON.stringify(document));
  writeFileSync(path.join(folder, 'schema.graphql'), editedSdl);
  return folder;
}

const current = () => structuredClone(openApiDocument);
const levels = (base: OpenApiDocument, now: OpenApiDocument) => restChanges(base, now).map(({ level, message }) => `${level}: ${message}`);

describe('REST contract changes', () => {
  it('finds none between a document and itself', () => {
    expect(restChanges(current(), current())).toEqual([]);
  });

  it('calls a removed route, a removed response field and a new required body field breaking', () => {
    const now = current();
    delete now.paths['/roles'];
    delete (now.components.schemas.User!.properties as Record<string, unknown>).phoneNumber;
    const body = now.paths['/login-user']!.post!.requestBody!.content['application/json'].schema;
    body.properties!.otp = { type: 'string' };
    body.required!.push('otp');
    expect(levels(current(), now)).toEqual(expect.arrayContaining([
      'breaking: GET /roles: route removed',
      'breaking: GET /me → 200.phoneNumber: response field removed',
      'breaking: POST /login-user: body field "otp" added as required',
    ]));
  });

  it('calls a changed type or a field that may now be null breaking, a new status or constraint dangerous, an addition safe', () => {
    const now = current();
    now.components.schemas.Role!.properties!.selfAssignable = { type: 'string' };
    now.components.schemas.User!.properties!.email = { type: ['string', 'null'] };
    now.components.schemas.User!.properties!.nickname = { type: 'string' };
    now.paths['/me']!.get!.responses['404'] = { description: 'gone' };
    now.paths['/register-user']!.post!.requestBody!.content['application/json'].schema.properties!.email!.maxLength = 100;
    now.paths['/users']!.get!.parameters!.push({ name: 'order', in: 'query', required: false, schema: { type: 'string' } });
    expect(levels(current(), now)).toEqual(expect.arrayContaining([
      'breaking: GET /roles → 200[].selfAssignable: type changed from boolean to string',
      'breaking: GET /me → 200.email: may now be null',
      'dangerous: GET /me: may now answer 404',
      'dangerous: POST /register-user: body field "email" maxLength changed from 254 to 100',
      'safe: GET /me → 200.nickname: response field added',
      'safe: GET /users: query parameter "order" added',
    ]));
  });

  it('calls a route that newly needs a token breaking', () => {
    const base = current();
    delete base.paths['/me']!.get!.security;
    expect(levels(base, current())).toContain('breaking: GET /me: now requires a bearer token');
  });
});

describe('npm run contract', () => {
  it('reports no changes against the committed artefacts and exits 0', async () => {
    const result = await contract('--base', path.join(root, 'generated'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 breaking, 0 dangerous, 0 safe');
  });

  it('exits 1 on a breaking change on either surface, and 0 with --allow-breaking', async () => {
    const base = baseWith((document, sdl) => {
      document.paths['/retired'] = { get: document.paths['/me']!.get! };
      return sdl.replace('type User {', 'type User {\n  nickname: String');
    });
    const result = await contract('--base', base);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✖ breaking   User.nickname: Field 'nickname' was removed from object type 'User'");
    expect(result.stdout).toContain('✖ breaking   GET /retired: route removed');
    expect((await contract('--base', base, '--allow-breaking')).code).toBe(0);
  });

  it("reports a field's @errors gaining a code as one dangerous change, with the field", async () => {
    const base = baseWith((_document, sdl) => {
      const edited = sdl.replace('@errors(codes: ["INVALID_REFRESH_TOKEN", "ACCOUNT_DISABLED", "EMAIL_NOT_VERIFIED"])', '@errors(codes: ["INVALID_REFRESH_TOKEN", "ACCOUNT_DISABLED"])');
      expect(edited).not.toBe(sdl);
      return edited;
    });
    const result = await contract('--base', base);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('⚠ dangerous  Mutation.refreshToken: @errors(codes) changed from ["INVALID_REFRESH_TOKEN", "ACCOUNT_DISABLED"] to ["INVALID_REFRESH_TOKEN", "ACCOUNT_DISABLED", "EMAIL_NOT_VERIFIED"]');
    expect(result.stdout).toContain('0 breaking, 1 dangerous, 0 safe');
  });

  it('compares with a git commit', async () => {
    const result = await contract('--base', 'HEAD', '--allow-breaking');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Contract changes since HEAD');
    expect(result.stdout).not.toContain('not compared');
  });

  it('exits 2 on a base that is neither a file, a folder nor a commit', async () => {
    const result = await contract('--base', 'no-such-ref-or-file');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('neither a file, a folder nor a git commit');
  });
});

