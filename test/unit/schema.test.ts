import { Kind, parse, type DefinitionNode } from 'graphql';
import { expect, it } from 'vitest';
import { appSchema, composition } from '../../src/app/composition.ts';

const describedTypes = composition.typeDefs
  .flatMap((sdl) => parse(sdl).definitions)
  .filter((node: DefinitionNode): node is DefinitionNode & { name: { value: string }; description: { value: string } } =>
    'description' in node && node.description !== undefined && 'name' in node && node.kind !== Kind.DIRECTIVE_DEFINITION,
  );

it('finds described types in the SDL, scalars among them', () => {
  expect(describedTypes.map((node) => node.kind)).toContain(Kind.SCALAR_TYPE_DEFINITION);
});

it.each(describedTypes.map((node) => [node.name.value, node.description.value]))(
  'serves the SDL description of %s, also where a resolver implements the type',
  (name, description) => {
    expect(appSchema().getType(name)?.description).toBe(description);
  },
);
