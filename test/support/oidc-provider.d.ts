// oidc-provider ships no types and @types/oidc-provider is not installed (no new package without a
// strong reason): only what the sign-in tests' provider uses, as its README documents it.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type Configuration = Record<string, unknown>;

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
