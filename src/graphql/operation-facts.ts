import type { DocumentNode, GraphQLSchema } from 'graphql';
import { compileAccessRules, rootFieldsOf, rulesOfFields, type AccessRule } from '../auth/access-rules.ts';

/** What the edge's plugins need to know about one operation of one parsed document. */
export interface OperationFacts {
  /** The root fields it selects, `Type.field`, sorted. */
  rootFields: readonly string[];
  /** The distinct access rules of those fields. */
  rules: readonly AccessRule[];
  /**
   * The metrics and access-log label, from a closed set the schema decides: the one root field,
   * `multiple` for several (a client choosing combinations must not mint new series), or
   * `introspection` when there are none.
   */
  label: string;
}

export interface OperationFactsCache {
  of(document: DocumentNode, operationName: string | null | undefined): OperationFacts;
}

/**
 * The one per-document cache of operation facts, shared by auth and metrics. Yoga
 * hands the same DocumentNode for the same query text (its parse cache) and SOFA builds one per
 * route, so after the first request of a kind the facts are a lookup, not a walk.
 */
export function createOperationFacts(schema: GraphQLSchema): OperationFactsCache {
  const rules = compileAccessRules(schema);
  const byDocument = new WeakMap<DocumentNode, Map<string, OperationFacts>>();

  const compute = (document: DocumentNode, operationName: string | null | undefined): OperationFacts => {
    const rootFields = rootFieldsOf(schema, document, operationName).sort();
    const label = rootFields.length === 0 ? 'introspection' : rootFields.length === 1 ? rootFields[0]! : 'multiple';
    return { rootFields, rules: rulesOfFields(rules, rootFields), label };
  };

  return {
    of(document, operationName) {
      let byOperation = byDocument.get(document);
      if (!byOperation) byDocument.set(document, (byOperation = new Map()));
      const key = operationName ?? '';
      let facts = byOperation.get(key);
      if (!facts) byOperation.set(key, (facts = compute(document, operationName)));
      return facts;
    },
  };
}
