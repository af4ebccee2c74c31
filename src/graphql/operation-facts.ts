import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileAccessRules, rootFieldsOf, rulesOfFields, type AccessRule } from '../auth/access-rules.ts';
import { rateLimitedFieldsOf } from '../ratelimit/plugin.ts';

/** What the edge's plugins need to know about one operation of one parsed document. */
export interface OperationFacts {
  /** The root fields it selects, `Type.field`, sorted. */
  rootFields: readonly string[];
  /** The distinct access rules of those fields. */
  rules: readonly AccessRule[];
  /**
   * The document cut down to this operation (and the fragments), when it selects a rate-limited
   * field: the limiter reads the arguments of every operation it is given. Undefined otherwise.
   */
  rateLimitedDocument: DocumentNode | undefined;
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
 * The one per-document cache of operation facts, shared by auth, rate limits and metrics. Yoga
 * hands the same DocumentNode for the same query text (its parse cache) and SOFA builds one per
 * route, so after the first request of a kind the facts are a lookup, not a walk.
 */
export function createOperationFacts(schema: GraphQLSchema): OperationFactsCache {
  const rules = compileAccessRules(schema);
  const limited = new Set(rateLimitedFieldsOf(schema).map(({ type, field }) => `${type}.${field}`));
  const byDocument = new WeakMap<DocumentNode, Map<string, OperationFacts>>();

  const compute = (document: DocumentNode, operationName: string | null | undefined): OperationFacts => {
    const rootFields = rootFieldsOf(schema, document, operationName).sort();
    const operation = getOperationAST(document, operationName);
    const rateLimitedDocument = rootFields.some((field) => limited.has(field))
      ? { ...document, definitions: document.definitions.filter((def) => def === operation || def.kind === Kind.FRAGMENT_DEFINITION) }
      : undefined;
    const label = rootFields.length === 0 ? 'introspection' : rootFields.length === 1 ? rootFields[0]! : 'multiple';
    return { rootFields, rules: rulesOfFields(rules, rootFields), rateLimitedDocument, label };
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
