import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyEntity, EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Kind, parse } from 'graphql';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import type { Services } from '../graphql/context.ts';
import { DateTime, JSONObject } from '../graphql/scalars.ts';
import type { JanusModule, ModuleDeps, Purge, Registry } from './module.ts';

/** What the process hands the service factories; composition adds the registry, the erasure, the permissions and the sign-in method count. */
export type ServiceInputs = Omit<ModuleDeps, 'services' | 'eraseUser' | 'permissions' | 'signInMethods'>;

/** What every module shares: the directives and scalars. */
const SHARED_SDL_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/** The modules, composed once at start-up into what the server, codegen and the contract check read. */
export interface Composition {
  /** Every SDL file, the shared ones of schema/ and the modules', ordered by file name. */
  sdlFiles: string[];
  typeDefs: string[];
  resolvers: Resolvers;
  entities: EntityClass<AnyEntity>[];
  /** Migration folders: the modules' own, and migrations/ (the baseline shared by the core modules, docs/design.md §6). */
  migrationDirs: string[];
  /** Documented client operations, for codegen. */
  operationFiles: string[];
  /** codegen mappers: type name → absolute `path#Export`. */
  mappers: Record<string, string>;
  /** Every permission some module declares. */
  permissions: string[];
  /**
   * Builds every service the modules provide, each once, in the order their reads ask for
   * (src/modules/module.ts ModuleDeps); throws naming the chain on a cycle or a key no module provides.
   */
  services(inputs: ServiceInputs): Services;
  /** Runs every module's erasure of a user's rows, in the transaction that deletes the user. */
  eraseUser(em: EntityManager, userId: string): Promise<void>;
  /** The ways the user can sign in, summed over the modules. */
  signInMethods(em: EntityManager, userId: string): Promise<number>;
  /** Every module's purges, by the name of the count each reports (the housekeeping job runs them). */
  purges: ReadonlyMap<string, Purge>;
}

const BASELINE_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

function sharedSdlFiles(): string[] {
  return readdirSync(SHARED_SDL_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => path.join(SHARED_SDL_DIR, file));
}

// Resolver maps are keyed by type, then field; their value types differ per type, so they are
// merged as plain records and the result is typed by the modules' own (codegen-typed) maps.
type ResolverMap = Record<string, Record<string, unknown> | object>;

function mergeResolvers(modules: readonly JanusModule[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const module of modules) {
    for (const [type, fields] of Object.entries((module.resolvers ?? {}) as ResolverMap)) {
      const into = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in into) throw new Error(`module ${module.name}: ${type}.${field} already has a resolver in another module`);
        into[field] = resolver;
      }
    }
  }
  return { ...(merged as Resolvers), DateTime, JSON: JSONObject };
}

/** The permissions `@requiresPermission` checks in an SDL text. */
function requiredPermissions(sdl: string): string[] {
  const found: string[] = [];
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        const argument = directive.arguments?.find((arg) => arg.name.value === 'permission');
        if (directive.name.value === 'requiresPermission' && argument?.value.kind === Kind.STRING) found.push(argument.value.value);
      }
    }
  }
  return found;
}

type Factory = (deps: ModuleDeps) => unknown;

/** Which module provides each service key; refuses a key two modules provide. */
function serviceFactories(modules: readonly JanusModule[]): Map<string, { module: string; build: Factory }> {
  const factories = new Map<string, { module: string; build: Factory }>();
  for (const module of modules) {
    for (const [key, build] of Object.entries(module.services ?? {}) as [string, Factory][]) {
      const other = factories.get(key);
      if (other) throw new Error(`modules ${other.module} and ${module.name} both provide the service ${key}`);
      factories.set(key, { module: module.name, build });
    }
  }
  return factories;
}

/**
 * The lazy registry the factories read: a key is built by its factory on first read, once. The
 * keys being built form the chain a cycle or a missing key is reported with.
 */
function buildServices(factories: ReturnType<typeof serviceFactories>, inputs: Omit<ModuleDeps, 'services'>): Services {
  const built = new Map<string, unknown>();
  const building: string[] = [];
  const read = (key: string): unknown => {
    if (built.has(key)) return built.get(key);
    const chain = [...building, key].join(' → ');
    const factory = factories.get(key);
    if (!factory) throw new Error(`no module provides the service ${key} (${chain})`);
    if (building.includes(key)) throw new Error(`services depend on one another in a cycle: ${chain}`);
    building.push(key);
    try {
      const service = factory.build(deps);
      built.set(key, service);
      return service;
    } finally {
      building.pop();
    }
  };
  const registry = new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? read(key) : undefined) }) as Registry;
  const deps: ModuleDeps = { ...inputs, services: registry };
  for (const key of factories.keys()) read(key);
  // Resolvers read a plain object (no trap per request); its type shows them only Services.
  return Object.fromEntries(built) as unknown as Services;
}

const byFileName = (a: string, b: string): number => path.basename(a).localeCompare(path.basename(b)) || a.localeCompare(b);

/**
 * Composes the modules: one SDL, one resolver map, one entity list, one migration history, one
 * permission list, one erasure. Refuses at start-up what would otherwise surface per request:
 * two modules of one name, two resolvers for one field, an SDL permission no module declares,
 * a service two modules provide.
 */
export function composeModules(modules: readonly JanusModule[]): Composition {
  const names = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`two modules are named ${module.name}`);
    names.add(module.name);
  }
  const permissions = [...new Set(modules.flatMap((module) => module.permissions ?? []))].sort();
  const moduleSdl = modules.flatMap((module) => (module.sdl ?? []).map((url) => ({ module, file: fileURLToPath(url) })));
  const sdlFiles = [...sharedSdlFiles(), ...moduleSdl.map(({ file }) => file)].sort(byFileName);
  const typeDefs = sdlFiles.map((file) => readFileSync(file, 'utf8'));
  for (const { module, file } of moduleSdl) {
    const undeclared = requiredPermissions(readFileSync(file, 'utf8')).filter((permission) => !permissions.includes(permission));
    if (undeclared.length > 0) throw new Error(`module ${module.name}: ${path.basename(file)} requires ${undeclared.join(', ')}, which no module declares`);
  }
  const erasers = modules.flatMap((module) => (module.onUserErased ? [module.onUserErased] : []));
  const methodCounters = modules.flatMap((module) => (module.signInMethods ? [module.signInMethods] : []));
  const factories = serviceFactories(modules);
  const purges = new Map<string, Purge>();
  for (const module of modules) {
    for (const [name, purge] of Object.entries(module.purges ?? {})) {
      if (purges.has(name)) throw new Error(`module ${module.name}: another module already has a purge named ${name}`);
      purges.set(name, purge);
    }
  }
  const eraseUser = async (em: EntityManager, userId: string): Promise<void> => {
    for (const erase of erasers) await erase(em, userId);
  };
  const signInMethods = async (em: EntityManager, userId: string): Promise<number> => {
    let count = 0;
    for (const counter of methodCounters) count += await counter(em, userId);
    return count;
  };
  return {
    sdlFiles,
    typeDefs,
    resolvers: mergeResolvers(modules),
    entities: modules.flatMap((module) => module.entities ?? []),
    migrationDirs: [BASELINE_MIGRATIONS_DIR, ...modules.flatMap((module) => (module.migrations ? [fileURLToPath(module.migrations)] : []))],
    operationFiles: modules.flatMap((module) => (module.operations ?? []).map((url) => fileURLToPath(url))),
    mappers: Object.fromEntries(
      modules.flatMap((module) => Object.entries(module.mappers ?? {}).map(([type, url]) => [type, `${fileURLToPath(url)}${url.hash}`])),
    ),
    permissions,
    services: (inputs) => buildServices(factories, { ...inputs, eraseUser, permissions, signInMethods }),
    eraseUser,
    signInMethods,
    purges,
  };
}
