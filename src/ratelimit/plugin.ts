import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useRateLimiter, type ConfigByField, type Store } from '@envelop/rate-limiter';
import type { Context } from '../graphql/context.ts';
import { directiveValues } from '../graphql/directive-values.ts';
import type { OperationFactsCache } from '../graphql/operation-facts.ts';
import { RateLimitedError } from '../shared/errors.ts';

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
  store: Store;
  facts: OperationFactsCache;
  clientIp(context: Context): string;
}

/** The root fields the SDL marks with `@rateLimit(identityArgs: [...], perUser: ...)`. */
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
function identityOf(args: Record<string, unknown>, names: readonly string[]): string {
  const normalised = names.map((name) => String(args[name] ?? '').trim().toLowerCase()).join('\n');
  return createHash('sha256').update(normalised).digest('base64url');
}

/**
 * One counter kept for a set of fields: whom it counts (`contextIdentity`, and for some a value
 * from the arguments) and how many calls it allows per window. Each bucket counts apart, and a
 * call over the limit of any of them is refused.
 */
interface Bucket {
  rate: Rate;
  fields: RateLimitedField[];
  contextIdentity(context: Context): string;
  /** A field's own key within the bucket, from its arguments; unset: the field name. */
  argumentIdentity?(field: RateLimitedField): (args: Record<string, unknown>) => string;
}

// Keys of different buckets never meet: no IP address equals `any-client` or starts with `user:` or `anonymous:`.
const ANY_CLIENT = 'any-client';

/**
 * The buckets of the marked fields:
 * - per client IP, every marked field, at the rate the field names: one address cannot try many
 *   emails, nor many passwords for one email (the IP bucket bounds each (IP, email) pair too);
 * - per identity value (an email, a refresh token) from every address together, larger: many
 *   addresses cannot pool their attempts on one account, yet a few strangers' wrong guesses do not
 *   lock its owner out at once;
 * - per caller on `perUser` fields, at the rate the field names: a stolen access token cannot
 *   guess from many addresses.
 */
function bucketsOf(fields: RateLimitedField[], options: RateLimitOptions): Bucket[] {
  const rates = Object.entries(options.perClient) as [RateName, Rate][];
  const buckets: Bucket[] = [
    ...rates.map(([name, rate]): Bucket => ({ rate, fields: fields.filter((field) => field.rate === name), contextIdentity: options.clientIp })),
    {
      rate: options.perIdentity,
      fields: fields.filter((field) => field.identityArgs.length > 0),
      contextIdentity: () => ANY_CLIENT,
      argumentIdentity: ({ identityArgs }) => (args) => identityOf(args, identityArgs),
    },
    ...rates.map(([name, rate]): Bucket => ({
      rate,
      fields: fields.filter((field) => field.perUser && field.rate === name),
      // The auth plugin refuses an anonymous caller of an authenticated field before this runs;
      // should one get here all the same, it is counted per address, apart from the IP bucket.
      contextIdentity: (context) => (context.principal ? `user:${context.principal.user.id}` : `anonymous:${options.clientIp(context)}`),
    })),
  ];
  return buckets.filter((bucket) => bucket.fields.length > 0);
}

/**
 * Rate limits declared in the SDL, enforced by @envelop/rate-limiter for GraphQL and REST alike,
 * in the buckets of `bucketsOf`. The numbers come from configuration, which is why the limiter is
 * configured per field from the directive rather than reading it itself. The limiter walks the
 * document it is given, so it only runs for operations that select a marked field.
 */
export function useRateLimits(options: RateLimitOptions): Plugin<Context> {
  let limiters: { plugin: Plugin<Context>; fields: ReadonlySet<string> }[] = [];

  function limiterOf(bucket: Bucket): Plugin<Context> {
    const { rate } = bucket;
    // Refused calls are not stored: a client flooding one field then costs a bounded list of
    // at most `max` timestamps per key, not one that grows with the flood.
    const base = { max: rate.max, window: `${rate.windowSeconds}s`, uncountRejected: true };
    return useRateLimiter({
      // Point the library's own directive lookup at a name the SDL never uses: our @rateLimit
      // carries no numbers, and a field may not have both a directive and a configuration.
      rateLimitDirectiveName: 'rateLimitConfiguredByJanus',
      identifyFn: (context) => bucket.contextIdentity(context as Context),
      configByField: bucket.fields.map((field): ConfigByField => {
        const identify = bucket.argumentIdentity?.(field);
        return {
          ...base,
          type: field.type,
          field: field.field,
          ...(identify && { identifyFn: (_context: unknown, args: Record<string, unknown>) => identify(args) }),
        };
      }),
      store: options.store,
      transformError: () => new RateLimitedError(rate.windowSeconds),
    }) as Plugin<Context>;
  }

  return {
    onSchemaChange({ schema: next }) {
      const fields = rateLimitedFieldsOf(next);
      limiters = bucketsOf(fields, options).map((bucket) => ({
        plugin: limiterOf(bucket),
        fields: new Set(bucket.fields.map(({ type, field }) => `${type}.${field}`)),
      }));
    },
    async onExecute(payload) {
      // The limiter reads the arguments of every operation in the document it is given, and a
      // document may hold operations whose variables this request does not provide: it gets only
      // the operation being executed, and only when that selects a limited field.
      const facts = options.facts.of(payload.args.document, payload.args.operationName);
      const document = facts.rateLimitedDocument;
      if (!document) return;
      // The limiter replaces `args.document`; it gets a copy, so execution keeps the original.
      const own = { ...payload, args: { ...payload.args, document } };
      // Each limiter walks the whole document: only those of a bucket the operation selects from run.
      for (const limiter of limiters) {
        if (facts.rootFields.some((field) => limiter.fields.has(field))) await limiter.plugin.onExecute?.(own);
      }
    },
  };
}
