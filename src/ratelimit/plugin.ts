import { createHash } from 'node:crypto';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../graphql/context.ts';
import { directiveValues } from '../graphql/directive-values.ts';
import { RateLimitedError } from '../shared/errors.ts';
import type { Count, RateLimitStore } from './store.ts';

/** The values of the SDL's `RateLimitRate`: which configured rate a field's per-client buckets use. */
export type RateName = 'LOGIN' | 'REFRESH';

export interface RateLimitedField {
  type: string;
  field: string;
  identityArgs: string[];
  /** Also counted per authenticated caller (the principal's user id). */
  perUser: boolean;
  rate: RateName;
}

export interface Rate {
  max: number;
  windowSeconds: number;
}

/** The configured rates (JANUS_LOGIN_RATE_LIMIT, JANUS_REFRESH_RATE_LIMIT, JANUS_LOGIN_EMAIL_RATE_LIMIT). */
export interface RateLimitSettings {
  /** Per client IP (so also per IP and email) on each @rateLimit field; per caller on perUser ones. */
  loginRateLimit: Rate;
  /** Instead of loginRateLimit on the fields marked `@rateLimit(rate: REFRESH)`. */
  refreshRateLimit: Rate;
  /** Per value of a field's identity arguments (an email, a refresh token), from all addresses together. */
  loginEmailRateLimit: Rate;
}

export interface RateLimitOptions {
  /** Per client IP, and per caller on `perUser` fields, by the rate the field names. */
  perClient: Readonly<Record<RateName, Rate>>;
  /** Per value of the identity arguments, from every address together. */
  perIdentity: Rate;
  store: RateLimitStore;
  clientIp(context: Context): string;
}

/** The root fields the SDL marks with `@rateLimit(identityArgs: [...], perUser: ..., rate: ...)`. */
export function rateLimitedFieldsOf(schema: GraphQLSchema): RateLimitedField[] {
  return [schema.getQueryType(), schema.getMutationType()].flatMap((root) =>
    Object.values(root?.getFields() ?? {}).flatMap((field) => {
      const values = directiveValues(schema, field, 'rateLimit');
      if (!values || !root) return [];
      return [
        {
          type: root.name,
          field: field.name,
          identityArgs: (values.identityArgs as string[] | undefined) ?? [],
          perUser: values.perUser === true,
          // The directive's enum argument, defaulted by GraphQL, so always one of its values.
          rate: values.rate as RateName,
        },
      ];
    }),
  );
}

// Keys hold a digest, never the value: Redis must not collect emails or refresh tokens, and
// `Ada@x.com` and `ada@x.com ` must count as one.
// An optional identity left out (startPasskeyLogin without an email) names nobody: such calls are
// not pooled into one bucket that every address would share.
function identityOf(args: Record<string, unknown>, names: readonly string[]): string | undefined {
  if (names.every((name) => args[name] == null)) return undefined;
  const normalised = names.map((name) => String(args[name] ?? '').trim().toLowerCase()).join('\n');
  return createHash('sha256').update(normalised).digest('base64url');
}

/**
 * One counter per field and per subject: what it counts (its name is in the store's keys) and
 * how many calls it admits per window. A call is refused when any of its field's buckets is full.
 */
interface Bucket {
  name: 'client-address' | 'identity' | 'caller';
  count: Omit<Count, 'key'>;
  /** The call's subject in this bucket; undefined: the call is not counted in it. */
  subjectOf(context: Context, args: Record<string, unknown>): string | undefined;
}

/**
 * The buckets of one marked field:
 * - per client address, at the rate the field names: one address cannot try many emails, nor many
 *   passwords for one email (so it bounds each (address, email) pair too);
 * - per identity value (an email, a refresh token) from every address together, larger: many
 *   addresses cannot pool their attempts on one account, yet a few strangers' wrong guesses do not
 *   lock its owner out at once;
 * - per caller on `perUser` fields, at the rate the field names: a stolen access token cannot
 *   guess from many addresses. The auth plugin has refused an anonymous caller of an
 *   authenticated field before any resolver runs.
 */
function bucketsOf(field: RateLimitedField, options: RateLimitOptions): Bucket[] {
  const countOf = (rate: Rate) => ({ max: rate.max, windowMs: rate.windowSeconds * 1000 });
  const perClient = countOf(options.perClient[field.rate]);
  const buckets: Bucket[] = [{ name: 'client-address', count: perClient, subjectOf: (context) => options.clientIp(context) }];
  if (field.identityArgs.length > 0) {
    buckets.push({ name: 'identity', count: countOf(options.perIdentity), subjectOf: (_context, args) => identityOf(args, field.identityArgs) });
  }
  if (field.perUser) buckets.push({ name: 'caller', count: perClient, subjectOf: (context) => context.principal?.user.id });
  return buckets;
}

type Resolver = GraphQLFieldResolver<unknown, Context>;
/** A limited resolver remembers the one it wraps, so that a second schema change wraps that one, not itself. */
const WRAPPED = Symbol('resolver under the rate limit');
type LimitedResolver = Resolver & { [WRAPPED]?: Resolver };

function limited(resolve: Resolver, field: RateLimitedField, buckets: readonly Bucket[], store: RateLimitStore): LimitedResolver {
  const path = `${field.type}.${field.field}`;
  const wrapper: LimitedResolver = async (source, args, context, info) => {
    const counts: Count[] = [];
    for (const bucket of buckets) {
      const subject = bucket.subjectOf(context, args);
      if (subject !== undefined) counts.push({ key: `${bucket.name}:${path}:${subject}`, ...bucket.count });
    }
    const waitMs = await store.hit(counts);
    if (waitMs > 0) throw new RateLimitedError(Math.ceil(waitMs / 1000));
    return resolve(source, args, context, info);
  };
  wrapper[WRAPPED] = resolve;
  return wrapper;
}

/**
 * Rate limits declared in the SDL, for GraphQL and REST alike (SOFA executes the same schema),
 * with the numbers from configuration. The marked fields' resolvers are wrapped once per schema:
 * only a call of a marked field does any work, with the arguments GraphQL has already coerced,
 * and each call of it counts (an operation that selects it under two aliases makes two calls).
 */
export function useRateLimits(options: RateLimitOptions): Plugin<Context> {
  return {
    onSchemaChange({ schema }) {
      for (const field of rateLimitedFieldsOf(schema)) {
        const type = schema.getType(field.type);
        const definition = isObjectType(type) ? type.getFields()[field.field] : undefined;
        if (!definition) continue;
        const current = definition.resolve as LimitedResolver | undefined;
        definition.resolve = limited(current?.[WRAPPED] ?? current ?? defaultFieldResolver, field, bucketsOf(field, options), options.store);
      }
    },
  };
}
