import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The introspection fields that return lists: nesting them multiplies the answer. */
const LIST_FIELDS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives']);
const ROOTS = new Set(['__schema', '__type']);

/** The deepest nesting of introspection list fields under `selectionSet`, following fragments. */
function listNesting(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, inside: boolean, seen: ReadonlySet<string>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      // A spread already on this path is a cycle, which another validation rule reports.
      if (fragment && !seen.has(fragment.name.value)) {
        deepest = Math.max(deepest, listNesting(fragment.selectionSet, fragments, inside, new Set([...seen, fragment.name.value])));
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, listNesting(selection.selectionSet, fragments, inside, seen));
    } else if (selection.selectionSet) {
      const name = selection.name.value;
      const nowInside = inside || ROOTS.has(name);
      const own = nowInside && LIST_FIELDS.has(name) ? 1 : 0;
      deepest = Math.max(deepest, own + listNesting(selection.selectionSet, fragments, nowInside, seen));
    }
  }
  return deepest;
}

/**
 * Bounds introspection by how deeply it nests lists (`types { fields { type { fields … } } }`),
 * which is what makes an introspection answer grow exponentially. Plain depth cannot tell that
 * apart from the `ofType` chains of GraphiQL's standard query (depth 13, lists only 3 deep), so
 * armor's depth limit leaves introspection to this rule.
 */
export function introspectionListNestingRule(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(
      context.getDocument().definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
      ),
    );
    return {
      OperationDefinition(operation) {
        if (listNesting(operation.selectionSet, fragments, false, new Set()) > max) {
          context.reportError(new GraphQLError(`Introspection may nest lists at most ${max} deep`, { nodes: [operation] }));
        }
      },
    };
  };
}

export function useIntrospectionLimit(maxListNesting: number): Plugin {
  const rule = introspectionListNestingRule(maxListNesting);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
