import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The contract artefacts of the base to compare with; either may be absent (e.g. a commit from before it existed). */
export interface BaseContract {
  label: string;
  schemaSdl?: string;
  openApiJson?: string;
}

export const SCHEMA_FILE = 'generated/schema.graphql';
export const OPENAPI_FILE = 'generated/openapi.json';

function gitShow(ref: string, file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${ref}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

function isCommit(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function fromPath(target: string): BaseContract {
  if (statSync(target).isDirectory()) {
    const read = (name: string) => {
      const file = path.join(target, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    return { label: target, schemaSdl: read('schema.graphql'), openApiJson: read('openapi.json') };
  }
  const text = readFileSync(target, 'utf8');
  return target.endsWith('.json') ? { label: target, openApiJson: text } : { label: target, schemaSdl: text };
}

/**
 * A file (`.graphql` printed schema or `.json` OpenAPI document), a folder holding
 * `schema.graphql` and/or `openapi.json`, or a git ref whose generated/ holds them.
 */
export function loadBase(base: string): BaseContract {
  if (existsSync(base)) return fromPath(base);
  if (isCommit(base)) return { label: base, schemaSdl: gitShow(base, SCHEMA_FILE), openApiJson: gitShow(base, OPENAPI_FILE) };
  throw new Error(`--base ${base} is neither a file, a folder nor a git commit`);
}
