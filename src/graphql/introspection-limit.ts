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
/** Depth of any document (armor's `maxDepth`): introspection is held to the same number. */
export const INTROSPECTION_MAX_DEPTH = 10;
/** `ofType` links in one type reference: graphql-js's `getIntrospectionQuery` default `typeDepth`. */
export const INTROSPECTION_MAX_TYPE_WRAPPING = 9;

interface Nesting {
  /** Introspection list fields nested in one another. */
  lists: number;
  /** Fields nested in one another, an `ofType` chain counting as one level (one type reference). */
  depth: number;
  /** The longest `ofType` chain. */
  wrapping: number;
}

const NONE: Nesting = { lists: 0, depth: 0, wrapping: 0 };
const deeper = (a: Nesting, b: Nesting): Nesting => ({
  lists: Math.max(a.lists, b.lists),
  depth: Math.max(a.depth, b.depth),
  wrapping: Math.max(a.wrapping, b.wrapping),
});

/** A chain longer than the limit is refused however long it is: counting stops one past it. */
const CHAIN_CAP = INTROSPECTION_MAX_TYPE_WRAPPING + 1;

/**
 * How deeply selection sets nest inside introspection, following fragments. A fragment's nesting
 * depends only on where it is spread (inside introspection or not, and how long an `ofType` chain
 * it continues, counted up to CHAIN_CAP), so each fragment is walked at most once per such place
 * and then looked up: a chain of fragments that each spread the next twice costs what its text
 * costs, not 2ⁿ walks.
 */
function createNesting(fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
  const known = new Map<string, Nesting>();
  // A spread that reaches itself again is a cycle, which NoFragmentCyclesRule reports: counted as nothing here.
  const walking = new Set<string>();

  function ofFragment(name: string, inside: boolean, chain: number): Nesting {
    const fragment = fragments.get(name);
    const key = `${name}:${inside ? chain : -1}`;
    if (!fragment || walking.has(key)) return NONE;
    let found = known.get(key);
    if (!found) {
      walking.add(key);
      found = nesting(fragment.selectionSet, inside, chain);
      walking.delete(key);
      known.set(key, found);
    }
    return found;
  }

  /** `chain` is the length of the `ofType` chain the selection set belongs to (0 outside one). */
  function nesting(selectionSet: SelectionSetNode, inside: boolean, chain: number): Nesting {
    let deepest = NONE;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        deepest = deeper(deepest, ofFragment(selection.name.value, inside, chain));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = deeper(deepest, nesting(selection.selectionSet, inside, chain));
      } else {
        const name = selection.name.value;
        const nowInside = inside || ROOTS.has(name);
        if (!nowInside) {
          if (selection.selectionSet) deepest = deeper(deepest, nesting(selection.selectionSet, false, 0));
          continue;
        }
        const link = name === 'ofType' ? Math.min(chain + 1, CHAIN_CAP) : 0;
        // The first `ofType` of a chain is one more level; the rest of the chain is the same type reference.
        const own: Nesting = { lists: LIST_FIELDS.has(name) ? 1 : 0, depth: link > 1 ? 0 : 1, wrapping: link };
        const below = selection.selectionSet ? nesting(selection.selectionSet, true, link) : NONE;
        deepest = deeper(deepest, { lists: own.lists + below.lists, depth: own.depth + below.depth, wrapping: Math.max(own.wrapping, below.wrapping) });
      }
    }
    return deepest;
  }

  return (selectionSet: SelectionSetNode): Nesting => nesting(selectionSet, false, 0);
}

/** What an operation's introspection is refused for, if anything. */
function overLimit(found: Nesting, maxListNesting: number): string | undefined {
  if (found.lists > maxListNesting) return `Introspection may nest lists at most ${maxListNesting} deep`;
  if (found.wrapping > INTROSPECTION_MAX_TYPE_WRAPPING) return `Introspection may follow ofType at most ${INTROSPECTION_MAX_TYPE_WRAPPING} deep`;
  if (found.depth > INTROSPECTION_MAX_DEPTH) return `Introspection may be at most ${INTROSPECTION_MAX_DEPTH} fields deep (an ofType chain counts as one)`;
  return undefined;
}

/**
 * Bounds introspection in depth like any document (at most 10 fields deep), and by how deeply
 * it nests lists (`types { fields { type { fields … } } }`), which is what makes an answer grow
 * exponentially. Plain depth cannot tell a deep document apart from the `ofType` chains of
 * GraphiQL's and codegen's standard query (15 deep counted plainly, lists only 3 deep), so
 * armor's depth limit leaves `__schema` to this rule: here one type reference (an `ofType`
 * chain, itself at most as long as graphql-js asks for) counts as one level.
 */
export function introspectionLimitRule(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(
      context.getDocument().definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
      ),
    );
    const nestingOf = createNesting(fragments);
    return {
      OperationDefinition(operation) {
        const refusal = overLimit(nestingOf(operation.selectionSet), max);
        if (refusal) context.reportError(new GraphQLError(refusal, { nodes: [operation] }));
      },
    };
  };
}

export function useIntrospectionLimit(maxListNesting: number): Plugin {
  const rule = introspectionLimitRule(maxListNesting);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
