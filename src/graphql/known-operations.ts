import type { GraphQLParams } from 'graphql-yoga';
import { setBounded } from '../shared/bounded-map.ts';

/** Longer query texts are not remembered: clients repeat short ones, and memory stays bounded. */
const MAX_QUERY_LENGTH = 4096;
const MAX_ENTRIES = 1000;

/**
 * Facts about an operation, learned when it reached execution (so it parsed and validated against
 * the current schema), kept by its exact query text and operation name. Hooks that run before
 * Yoga parses anything (`onParams`) can then act on the next request with the same text as they
 * would after parsing: the same text always parses and validates the same way.
 *
 * Bounded: at most MAX_ENTRIES texts of at most MAX_QUERY_LENGTH characters; when full, the
 * oldest goes. A text not (or no longer) here just takes the ordinary path.
 */
export function createKnownOperations<T>() {
  const facts = new Map<string, T>();
  const keyOf = (params: Pick<GraphQLParams, 'query' | 'operationName'> | undefined): string | undefined => {
    if (typeof params?.query !== 'string' || params.query.length > MAX_QUERY_LENGTH) return undefined;
    const name = params.operationName;
    // The name's length makes the key unambiguous whatever characters a client puts in the name.
    return name == null ? `-:${params.query}` : `${name.length}:${name}:${params.query}`;
  };
  return {
    get(params: GraphQLParams): T | undefined {
      const key = keyOf(params);
      return key === undefined ? undefined : facts.get(key);
    },
    /** Call only once the operation got past validation, e.g. from `onExecute`. */
    learn(params: GraphQLParams | undefined, value: T): void {
      const key = keyOf(params);
      if (key === undefined || facts.has(key)) return;
      setBounded(facts, key, value, MAX_ENTRIES);
    },
    clear(): void {
      facts.clear();
    },
  };
}
