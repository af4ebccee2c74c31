import { CriticalityLevel, diff } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import type { Change, Level } from './change.ts';

const LEVEL: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** GraphQL Inspector's judgement of every change between two schemas. */
export async function graphqlChanges(base: GraphQLSchema, current: GraphQLSchema): Promise<Change[]> {
  return (await diff(base, current)).map((change) => ({ level: LEVEL[change.criticality.level], message: change.message }));
}
