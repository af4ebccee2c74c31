import type { GraphQLArgument } from 'graphql';

/**
 * Whether the SDL marks an argument `@secret` (a password, a refresh or email-link token, an
 * mfaToken, a one-time code): the one declaration the REST guard reads (decided once per route at
 * start-up) to keep such values out of URLs.
 */
export function isSecretArgument(argument: GraphQLArgument): boolean {
  return argument.astNode?.directives?.some((directive) => directive.name.value === 'secret') ?? false;
}
