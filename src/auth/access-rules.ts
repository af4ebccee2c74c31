import {
  getOperationAST,
  Kind,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { directiveValues } from '../graphql/directive-values.ts';
import { DomainError } from '../shared/errors.ts';
import { ForbiddenError, MfaRequiredError, ReauthenticationRequiredError, UnauthenticatedError, type TokenProblem } from './errors.ts';
import type { Principal } from './principal.ts';

/**
 * What a root field requires of its caller: its access marker's rule and, with `mfa`, the
 * additional requirement of @requiresMfa (a token whose login used a second factor), with
 * `recentLogin` that of @requiresRecentLogin (a token whose login is at most the configured age).
 */
export type AccessRule =
  | { kind: 'public' }
  | ({ kind: 'authenticated' } & StepUps)
  | ({ kind: 'permission'; permission: string } & StepUps);

interface StepUps {
  mfa?: true;
  recentLogin?: true;
}

/** How the rules are applied at the time of a request. */
export interface AccessPolicy {
  /** The oldest login (`auth_time`, in seconds) @requiresRecentLogin accepts: JANUS_REAUTH_MAX_AGE. */
  reauthMaxAgeSeconds: number;
  nowSeconds: number;
}

/** The requirement directives beside an access marker, and what each adds to its rule. */
const STEP_UPS = { requiresMfa: 'mfa', requiresRecentLogin: 'recentLogin' } as const satisfies Record<string, keyof StepUps>;

export const ACCESS_MARKERS = ['public', 'authenticated', 'requiresPermission'] as const;

const PUBLIC: AccessRule = { kind: 'public' };
// Protect-all: a root field without a marker still needs a token, so a forgotten directive fails closed.
const AUTHENTICATED: AccessRule = { kind: 'authenticated' };

/** The access markers written on a field in the SDL, in SDL order. */
export function accessMarkersOf(field: GraphQLField<unknown, unknown>): string[] {
  const names: readonly string[] = ACCESS_MARKERS;
  return (field.astNode?.directives ?? []).map((node) => node.name.value).filter((name) => names.includes(name));
}

/**
 * What @requiresMfa accepts in `amr` (RFC 8176 method references), the one place that decides it:
 * a one-time code after the password (`otp`: verifyMfa), or a login that was multi-factor in
 * itself (`mfa`: a passkey with user verification, src/passkeys).
 */
const SECOND_FACTOR_PROOFS: readonly string[] = ['otp', 'mfa'];

/** Whether a login proven by `amr` satisfies @requiresMfa. */
function provesSecondFactor(amr: readonly string[]): boolean {
  return amr.some((method) => SECOND_FACTOR_PROOFS.includes(method));
}

function ruleOf(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): AccessRule {
  let rule = markerRuleOf(schema, field);
  for (const node of field.astNode?.directives ?? []) {
    const name = node.name.value;
    if (!Object.hasOwn(STEP_UPS, name)) continue;
    // A caller without a token has no login to have proven anything: the SDL contradicts itself.
    if (rule.kind === 'public') throw new Error(`${field.name}: @${name} cannot go with @public`);
    rule = { ...rule, [STEP_UPS[name as keyof typeof STEP_UPS]]: true };
  }
  return rule;
}

function markerRuleOf(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): AccessRule {
  const permission = directiveValues(schema, field, 'requiresPermission')?.permission;
  if (typeof permission === 'string') return { kind: 'permission', permission };
  const markers = accessMarkersOf(field);
  if (markers.includes('public')) return PUBLIC;
  return AUTHENTICATED;
}

/** Decided once per schema: the rule of every root field, keyed `Type.field`. */
export function compileAccessRules(schema: GraphQLSchema): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) rules.set(`${root.name}.${field.name}`, ruleOf(schema, field));
  }
  return rules;
}

/**
 * The root fields (`Type.field`) an operation selects, following fragments. Only the root
 * selection set is read: nested fields are reachable only through a root field. Fields under
 * @skip/@include count as selected, which can only ask for more checks, never fewer.
 * Introspection meta-fields (__typename, __schema, __type) are left out.
 */
export function rootFieldsOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): string[] {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return [];
  const fragments = new Map(
    document.definitions.flatMap((def) => (def.kind === Kind.FRAGMENT_DEFINITION ? [[def.name.value, def] as const] : [])),
  );
  const found = new Set<string>();
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) found.add(`${rootType.name}.${selection.name.value}`);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...found];
}

/** The distinct rules of the given root fields (`Type.field`). */
export function rulesOfFields(rules: ReadonlyMap<string, AccessRule>, fields: readonly string[]): AccessRule[] {
  return [...new Set(fields.map((field) => rules.get(field) ?? AUTHENTICATED))];
}

/**
 * The first rule the caller fails, as the error to answer with, or undefined when all pass.
 * `tokenProblem` says why a request that sent a token has no principal.
 */
export function checkAccess(
  rules: readonly AccessRule[],
  principal: Principal | null,
  policy: AccessPolicy,
  tokenProblem?: TokenProblem,
): DomainError | undefined {
  let needsSecondFactor = false;
  let needsRecentLogin = false;
  for (const rule of rules) {
    if (rule.kind === 'public') continue;
    if (!principal) return new UnauthenticatedError(tokenProblem);
    if (rule.kind === 'permission' && !principal.permissions.has(rule.permission)) return new ForbiddenError(rule.permission);
    needsSecondFactor ||= rule.mfa === true;
    needsRecentLogin ||= rule.recentLogin === true;
  }
  // Last: a step-up is worth asking for only when nothing else would refuse the caller anyway.
  if (needsSecondFactor && !provesSecondFactor(principal?.claims.amr ?? [])) return new MfaRequiredError();
  if (needsRecentLogin && (principal?.claims.auth_time ?? 0) < policy.nowSeconds - policy.reauthMaxAgeSeconds) {
    return new ReauthenticationRequiredError(policy.reauthMaxAgeSeconds);
  }
  return undefined;
}
