import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useRateLimiter, type ConfigByField, type Store } from '@envelop/rate-limiter';
import type { Context } from '../graphql/context.ts';
import { directiveValues } from '../graphql/directive-values.ts';
import type { OperationFactsCache } from '../graphql/operation-facts.ts';
import { RateLimitedError } from '../shared/errors.ts';

export interface RateLimitedField {
  type: string;
  field: string;
  identityArgs: string[];
}

export interface RateLimitOptions {
  max: number;
  windowSeconds: number;
  store: Store;
  facts: OperationFactsCache;
  clientIp(context: Context): string;
}

/** The root fields the SDL marks with `@rateLimit(identityArgs: [...])`. */
export function rateLimitedFieldsOf(schema: GraphQLSchema): RateLimitedField[] {
  return [schema.getQueryType(), schema.getMutationType()].flatMap((root) =>
    Object.values(root?.getFields() ?? {}).flatMap((field) => {
      const values = directiveValues(schema, field, 'rateLimit');
      if (!values || !root) return [];
      return [{ type: root.name, field: field.name, identityArgs: (values.identityArgs as string[] | undefined) ?? [] }];
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
 * Rate limits declared in the SDL, enforced by @envelop/rate-limiter for GraphQL and REST alike:
 * each marked field is counted per client IP and, separately, per value of its identity
 * arguments (so neither many emails from one address nor one email from many addresses gets
 * through). The numbers come from configuration, which is why the limiter is configured per
 * field from the directive rather than reading it itself. The limiter walks the document it is
 * given, so it only runs for operations that select a marked field.
 */
export function useRateLimits(options: RateLimitOptions): Plugin<Context> {
  const window = `${options.windowSeconds}s`;
  const transformError = () => new RateLimitedError(options.windowSeconds);
  let limiters: Plugin<Context>[] = [];

  function limiter(identifyFn: (context: Context) => string, configByField: ConfigByField[]): Plugin<Context> {
    return useRateLimiter({
      // Point the library's own directive lookup at a name the SDL never uses: our @rateLimit
      // carries no numbers, and a field may not have both a directive and a configuration.
      rateLimitDirectiveName: 'rateLimitConfiguredByJanus',
      identifyFn: (context) => identifyFn(context as Context),
      configByField,
      store: options.store,
      transformError,
    }) as Plugin<Context>;
  }

  return {
    onSchemaChange({ schema: next }) {
      const fields = rateLimitedFieldsOf(next);
      // Refused calls are not stored: a client flooding one field then costs a bounded list of
      // at most `max` timestamps per key, not one that grows with the flood.
      const base = { max: options.max, window, uncountRejected: true };
      limiters = [
        limiter(options.clientIp, fields.map(({ type, field }) => ({ ...base, type, field }))),
        limiter(
          () => 'any-client',
          // A field without identity arguments is counted per client IP only: one shared count
          // for every caller would let anyone lock everyone out.
          fields.filter(({ identityArgs }) => identityArgs.length > 0).map(({ type, field, identityArgs }) => ({
            ...base,
            type,
            field,
            identifyFn: (_context, args) => identityOf(args, identityArgs),
          })),
        ),
      ];
    },
    async onExecute(payload) {
      // The limiter reads the arguments of every operation in the document it is given, and a
      // document may hold operations whose variables this request does not provide: it gets only
      // the operation being executed, and only when that selects a limited field.
      const document = options.facts.of(payload.args.document, payload.args.operationName).rateLimitedDocument;
      if (!document) return;
      // The limiter replaces `args.document`; it gets a copy, so execution keeps the original.
      const own = { ...payload, args: { ...payload.args, document } };
      for (const plugin of limiters) await plugin.onExecute?.(own);
    },
  };
}
