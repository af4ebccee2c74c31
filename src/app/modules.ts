/**
 * The modules this API is made of, one line each (the order does not matter: composition sorts
 * what it must). Janus's own features are modules like any other; `npm run janus -- new-module
 * <name>` adds a line here for the module it writes.
 */
export { module as accounts } from '../accounts/module.ts';
export { module as audit } from '../audit/module.ts';
export { module as mail } from '../mail/module.ts';
export { module as mfa } from '../mfa/module.ts';
export { module as onetimeTokens } from '../onetime-tokens/module.ts';
export { module as passkeys } from '../passkeys/module.ts';
export { module as roles } from '../roles/module.ts';
export { module as signIn } from '../sign-in/module.ts';
export { module as tokens } from '../tokens/module.ts';
export { module as oidc } from '../oidc/module.ts';
