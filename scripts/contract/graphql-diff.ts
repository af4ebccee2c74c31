import { ChangeType, CriticalityLevel, diff, type Change as InspectorChange } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import type { Change, Level } from './change.ts';

const LEVEL: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

type ArgumentAdded = InspectorChange<typeof ChangeType.DirectiveUsageArgumentAdded>;

/**
 * GraphQL Inspector's judgement of every change between two schemas, with where it is. Inspector
 * reports a new value of a directive's argument on a field (`@errors(codes: …)` gaining a code) as
 * the argument removed and added again; that pair becomes one change, dangerous: clients meet an
 * outcome they did not before.
 */
export async function graphqlChanges(base: GraphQLSchema, current: GraphQLSchema): Promise<Change[]> {
  const changes = await diff(base, current);
  const revalued = new Map<string, ArgumentAdded>();
  for (const change of changes) {
    if (change.type === ChangeType.DirectiveUsageArgumentAdded && (change as ArgumentAdded).meta.oldArgumentValue != null) {
      revalued.set(change.path ?? '', change as ArgumentAdded);
    }
  }
  return changes.flatMap((change): Change[] => {
    const path = change.path ?? '';
    const added = revalued.get(path);
    if (added && change.type === ChangeType.DirectiveUsageArgumentRemoved) return [];
    if (added === change) {
      const { directiveName, addedArgumentName, oldArgumentValue, addedArgumentValue } = added.meta;
      const field = path.split('.@')[0];
      return [{ level: 'dangerous', message: `${field}: @${directiveName}(${addedArgumentName}) changed from ${oldArgumentValue} to ${addedArgumentValue}` }];
    }
    return [{ level: LEVEL[change.criticality.level], message: path ? `${path}: ${change.message}` : change.message }];
  });
}
