import type { JsonSchema } from '../../src/rest/openapi/json-schema.ts';
import type { OpenApiDocument, Operation } from '../../src/rest/openapi/document.ts';
import type { Change } from './change.ts';

/** Keys that narrow what a request may hold: changing one can turn a valid request away. */
const CONSTRAINTS = ['format', 'minLength', 'maxLength', 'pattern', 'minimum', 'maxItems', 'enum'] as const;

type Method = 'get' | 'post';

/** Whether a client must send a token: not when no requirement is listed, nor when an empty one (`{}`) is among them. */
const needsToken = (operation: Operation): boolean =>
  (operation.security ?? []).length > 0 && !(operation.security ?? []).some((requirement) => Object.keys(requirement).length === 0);

class RestComparison {
  readonly changes: Change[] = [];
  private readonly base: OpenApiDocument;
  private readonly current: OpenApiDocument;

  constructor(base: OpenApiDocument, current: OpenApiDocument) {
    this.base = base;
    this.current = current;
  }

  add(level: Change['level'], message: string): void {
    this.changes.push({ level, message });
  }

  /** Follows `$ref`s into the document's components, and unwraps a nullable `anyOf`. */
  resolve(document: OpenApiDocument, schema: JsonSchema | undefined): { schema: JsonSchema | undefined; nullable: boolean } {
    let nullable = false;
    let resolved = schema;
    for (let depth = 0; resolved && depth < 10; depth++) {
      if (resolved.anyOf) {
        nullable ||= resolved.anyOf.some((option) => option.type === 'null');
        resolved = resolved.anyOf.find((option) => option.type !== 'null');
      } else if (resolved.$ref) {
        resolved = document.components.schemas[resolved.$ref.split('/').pop() ?? ''];
      } else {
        break;
      }
    }
    const types = [resolved?.type ?? []].flat();
    return { schema: resolved, nullable: nullable || types.includes('null') };
  }

  typeOf(schema: JsonSchema | undefined): string {
    const types = [schema?.type ?? 'any'].flat().filter((type) => type !== 'null');
    return types.join('|');
  }

  operations(): void {
    for (const [path, item] of Object.entries(this.base.paths)) {
      for (const [method, operation] of Object.entries(item) as [Method, Operation][]) {
        const where = `${method.toUpperCase()} ${path}`;
        const now = this.current.paths[path]?.[method];
        if (!now) {
          this.add('breaking', this.current.paths[path] ? `${where}: method removed` : `${where}: route removed`);
          continue;
        }
        this.operation(where, operation, now);
      }
    }
    for (const [path, item] of Object.entries(this.current.paths)) {
      for (const method of Object.keys(item) as Method[]) {
        if (!this.base.paths[path]?.[method]) this.add('safe', `${method.toUpperCase()} ${path}: route added`);
      }
    }
  }

  operation(where: string, base: Operation, current: Operation): void {
    if (!needsToken(base) && needsToken(current)) this.add('breaking', `${where}: now requires a bearer token`);
    if (needsToken(base) && !needsToken(current)) this.add('safe', `${where}: no longer requires a bearer token`);
    this.inputs(where, this.inputsOf(base, this.base), this.inputsOf(current, this.current));
    for (const status of Object.keys(current.responses)) {
      if (!base.responses[status]) this.add('dangerous', `${where}: may now answer ${status}`);
    }
    for (const status of Object.keys(base.responses)) {
      if (!current.responses[status]) this.add(status.startsWith('2') ? 'breaking' : 'safe', `${where}: no longer answers ${status}`);
    }
    const ok = (operation: Operation) => operation.responses['200']?.content?.['application/json']?.schema;
    this.output(`${where} → 200`, ok(base), ok(current), new Set());
  }

  /** Parameters and body properties alike: the guard refuses unknown ones, so every input is part of the contract. */
  inputsOf(operation: Operation, document: OpenApiDocument): Map<string, { required: boolean; schema: JsonSchema }> {
    const inputs = new Map<string, { required: boolean; schema: JsonSchema }>();
    for (const parameter of operation.parameters ?? []) {
      inputs.set(`${parameter.in} parameter "${parameter.name}"`, { required: parameter.required, schema: parameter.schema });
    }
    const body = this.resolve(document, operation.requestBody?.content['application/json'].schema).schema;
    for (const [name, schema] of Object.entries(body?.properties ?? {})) {
      inputs.set(`body field "${name}"`, { required: body?.required?.includes(name) ?? false, schema });
    }
    return inputs;
  }

  inputs(where: string, base: Map<string, { required: boolean; schema: JsonSchema }>, current: typeof base): void {
    for (const [name, input] of base) {
      const now = current.get(name);
      if (!now) {
        this.add('breaking', `${where}: ${name} removed (clients that send it are refused)`);
        continue;
      }
      if (!input.required && now.required) this.add('breaking', `${where}: ${name} became required`);
      const [before, after] = [this.typeOf(input.schema), this.typeOf(now.schema)];
      if (before !== after) this.add('breaking', `${where}: ${name} changed type from ${before} to ${after}`);
      for (const key of CONSTRAINTS) {
        const [was, is] = [JSON.stringify(input.schema[key]), JSON.stringify(now.schema[key])];
        if (was !== is) this.add('dangerous', `${where}: ${name} ${key} changed from ${was ?? 'none'} to ${is ?? 'none'}`);
      }
    }
    for (const [name, input] of current) {
      if (!base.has(name)) this.add(input.required ? 'breaking' : 'safe', `${where}: ${name} added${input.required ? ' as required' : ''}`);
    }
  }

  output(where: string, baseSchema: JsonSchema | undefined, currentSchema: JsonSchema | undefined, seen: Set<string>): void {
    const base = this.resolve(this.base, baseSchema);
    const current = this.resolve(this.current, currentSchema);
    const [before, after] = [this.typeOf(base.schema), this.typeOf(current.schema)];
    if (before !== after) {
      this.add('breaking', `${where}: type changed from ${before} to ${after}`);
      return;
    }
    if (!base.nullable && current.nullable) this.add('breaking', `${where}: may now be null`);
    const key = `${where}|${JSON.stringify(baseSchema)}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (base.schema?.items || current.schema?.items) this.output(`${where}[]`, base.schema?.items, current.schema?.items, seen);
    const [was, is] = [base.schema?.properties ?? {}, current.schema?.properties ?? {}];
    for (const [name, schema] of Object.entries(was)) {
      if (!is[name]) this.add('breaking', `${where}.${name}: response field removed`);
      else this.output(`${where}.${name}`, schema, is[name], seen);
    }
    for (const name of Object.keys(is)) {
      if (!was[name]) this.add('safe', `${where}.${name}: response field added`);
    }
  }
}

/** The changes between two OpenAPI documents of the REST routes, from a REST client's side. */
export function restChanges(base: OpenApiDocument, current: OpenApiDocument): Change[] {
  const comparison = new RestComparison(base, current);
  comparison.operations();
  return comparison.changes;
}
