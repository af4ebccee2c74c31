import type { DocumentNode } from 'graphql';

/**
 * Remembers a per-operation result for each parsed document. Yoga hands the same DocumentNode
 * for the same query text and SOFA builds one per route, so after the first request of a kind
 * this is a lookup, not a walk.
 */
export function createDocumentCache<T>(compute: (document: DocumentNode, operationName: string | null | undefined) => T) {
  let byDocument = new WeakMap<DocumentNode, Map<string, T>>();
  return {
    get(document: DocumentNode, operationName: string | null | undefined): T {
      let byOperation = byDocument.get(document);
      if (!byOperation) byDocument.set(document, (byOperation = new Map()));
      const key = operationName ?? '';
      if (!byOperation.has(key)) byOperation.set(key, compute(document, operationName));
      return byOperation.get(key) as T;
    },
    clear(): void {
      byDocument = new WeakMap();
    },
  };
}
