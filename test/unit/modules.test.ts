import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as modules from '../../src/app/modules.ts';
import { MODULE_NAME_SHAPE, namesOf } from '../../src/cli/module-templates.ts';
import type { AuditLog } from '../../src/audit/service.ts';
import { composeModules, type ServiceInputs } from '../../src/modules/compose.ts';
import { defineModule, type ModuleDeps } from '../../src/modules/module.ts';
import type { RoleService } from '../../src/roles/service.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-modules-'));
function sdl(name: string, text: string): URL {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return pathToFileURL(file);
}

describe('composing modules', () => {
  it('composes Janus’s own features as modules: every SDL file, entity and permission of theirs', () => {
    const composed = composeModules(Object.values(modules));
    expect(composed.sdlFiles.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining(['directives.graphql', 'scalars.graphql', 'user.graphql', 'roles.graphql', 'mfa.graphql', 'audit.graphql']),
    );
    expect(composed.entities.map((entity) => entity.name)).toEqual(expect.arrayContaining(['User', 'Role', 'Session', 'AuditEvent', 'OutboxMessage']));
    expect(composed.permissions).toEqual(['audit:read', 'clients:read', 'clients:write', 'roles:read', 'roles:write', 'users:read', 'users:write']);
  });

  it('refuses two modules of one name', () => {
    expect(() => composeModules([defineModule({ name: 'a' }), defineModule({ name: 'a' })])).toThrow('two modules are named a');
  });

  it('refuses two resolvers for one field', () => {
    const resolve = () => [];
    const twice = [defineModule({ name: 'a', resolvers: { Query: { roles: resolve } } }), defineModule({ name: 'b', resolvers: { Query: { roles: resolve } } })];
    expect(() => composeModules(twice)).toThrow('module b: Query.roles already has a resolver in another module');
  });

  it('refuses a permission the SDL requires that no module declares', () => {
    const file = sdl('widgets.graphql', 'extend type Query { widgets: [String!]! @requiresPermission(permission: "widgets:read") }');
    expect(() => composeModules([defineModule({ name: 'widgets', sdl: [file] })])).toThrow('requires widgets:read, which no module declares');
    expect(composeModules([defineModule({ name: 'widgets', sdl: [file], permissions: ['widgets:read'] })]).permissions).toEqual(['widgets:read']);
  });

  it('runs every module’s erasure of a user’s rows, in the transaction it is given', async () => {
    const erased: string[] = [];
    const composed = composeModules([
      defineModule({ name: 'a', onUserErased: async (_em, userId) => void erased.push(`a:${userId}`) }),
      defineModule({ name: 'b', onUserErased: async (_em, userId) => void erased.push(`b:${userId}`) }),
    ]);
    await composed.eraseUser({} as never, 'u1');
    expect(erased).toEqual(['a:u1', 'b:u1']);
  });

  it('collects every module’s purges by name for the housekeeping job, Janus’s own among them, and refuses one name twice', () => {
    expect([...composeModules(Object.values(modules)).purges.keys()].sort()).toEqual(
      ['mfaChallenges', 'oidcModels', 'oneTimeTokens', 'passkeyChallenges', 'sentMail', 'signInStates'],
    );
    const purge = async () => 0;
    const twice = [defineModule({ name: 'a', purges: { widgets: purge } }), defineModule({ name: 'b', purges: { widgets: purge } })];
    expect(() => composeModules(twice)).toThrow('module b: another module already has a purge named widgets');
  });
});

// The factories below read none of these.
const inputs = { config: {}, database: {}, keys: {} } as ServiceInputs;
/** A stand-in service that remembers what it was built from. */
const fake = <T>(value: object) => value as T;

describe('building the modules’ services', () => {
  it('builds each service once, on its first read, whatever order the modules come in', () => {
    const built: string[] = [];
    const composed = composeModules([
      defineModule({
        name: 'a',
        services: {
          roles: ({ services }) => {
            const audit = services.audit;
            built.push('roles');
            return fake<RoleService>({ audit });
          },
        },
      }),
      defineModule({ name: 'b', services: { audit: () => (built.push('audit'), fake<AuditLog>({})) } }),
    ]);
    const services = composed.services(inputs);
    expect(built).toEqual(['audit', 'roles']);
    expect(services.roles).toEqual({ audit: services.audit });
    expect(services.roles).toBe(services.roles);
  });

  it('hands every factory the erasure of every module', async () => {
    const erased: string[] = [];
    let eraseUser: ModuleDeps['eraseUser'] | undefined;
    const composed = composeModules([
      defineModule({ name: 'a', onUserErased: async (_em, userId) => void erased.push(userId) }),
      defineModule({ name: 'b', services: { audit: (deps) => ((eraseUser = deps.eraseUser), fake<AuditLog>({})) } }),
    ]);
    composed.services(inputs);
    await eraseUser!({} as never, 'u1');
    expect(erased).toEqual(['u1']);
  });

  it('refuses a service two modules provide', () => {
    const audit = () => fake<AuditLog>({});
    expect(() => composeModules([defineModule({ name: 'a', services: { audit } }), defineModule({ name: 'b', services: { audit } })])).toThrow(
      'modules a and b both provide the service audit',
    );
  });

  it('refuses at start a service no module provides, naming who asked for it', () => {
    const composed = composeModules([defineModule({ name: 'a', services: { roles: ({ services }) => fake<RoleService>({ mfa: services.mfa }) } })]);
    expect(() => composed.services(inputs)).toThrow('no module provides the service mfa (roles → mfa)');
  });

  it('refuses at start services that depend on one another in a cycle, naming it', () => {
    const composed = composeModules([
      defineModule({ name: 'a', services: { roles: ({ services }) => fake<RoleService>({ audit: services.audit }) } }),
      defineModule({ name: 'b', services: { audit: ({ services }) => fake<AuditLog>({ roles: services.roles }) } }),
    ]);
    expect(() => composed.services(inputs)).toThrow('services depend on one another in a cycle: roles → audit → roles');
  });
});

describe('new-module names', () => {
  it.each([
    ['note', { pascal: 'Note', plural: 'notes', kebab: 'notes', table: 'notes' }],
    ['blogPost', { pascal: 'BlogPost', plural: 'blogPosts', kebab: 'blog-posts', table: 'blog_posts' }],
    ['category', { pascal: 'Category', plural: 'categories', kebab: 'categories', table: 'categories' }],
    ['box', { pascal: 'Box', plural: 'boxes', kebab: 'boxes', table: 'boxes' }],
  ])('spells %s', (name, expected) => {
    expect(namesOf(name)).toMatchObject(expected);
  });

  it.each(['Note', 'my-note', 'my_note', '9lives', '', 'note!'])('refuses %j as a module name', (name) => {
    expect(MODULE_NAME_SHAPE.test(name)).toBe(false);
  });
});
