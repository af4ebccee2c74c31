// oidc-provider ships no types and @types/oidc-provider is not installed (no new package without a
// strong reason): only the parts Janus uses, as documented in its README and docs/README.md.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AdapterPayload = Record<string, unknown> & {
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  };

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
    scope?: string;
    redirectUris: string[];
  }

  export interface Grant {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface Interaction {
    uid: string;
    exp: number;
    params: Record<string, unknown> & { client_id: string; scope?: string; redirect_uri?: string };
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    session?: { accountId: string; uid: string };
    grantId?: string;
  }

  /** What a token looks like to extraTokenClaims and the JWT customizer. */
  export interface Token {
    kind: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    iiat?: number;
    iat?: number;
  }

  export interface KoaContextWithOIDC {
    set(headers: Readonly<Record<string, string>>): void;
    type: string;
    body: unknown;
    status: number;
    req: IncomingMessage;
    oidc: {
      route?: string;
      client?: Client;
      entities: Record<string, unknown>;
      params?: Record<string, unknown>;
      session?: { accountId?: string; state?: { secret?: string } };
      urlFor(route: string): string;
    };
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export type Configuration = Record<string, unknown>;

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    proxy: boolean;
    readonly issuer: string;
    readonly Grant: {
      new (properties: { jti?: string; accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    readonly Client: {
      find(id: string): Promise<Client | undefined>;
      prototype: { compareClientSecret(actual: string): boolean | Promise<boolean> };
    };
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    /** A Koa middleware around every route (ctx.oidc is set once the route's own middleware ran). */
    use(middleware: (ctx: Omit<KoaContextWithOIDC, 'oidc'> & { oidc?: KoaContextWithOIDC['oidc'] }, next: () => Promise<void>) => Promise<void>): this;
    interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<Interaction>;
    interactionFinished(
      request: IncomingMessage,
      response: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: 'grant.revoked', listener: (ctx: KoaContextWithOIDC, grantId: string) => void): this;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: {
    InvalidGrant: new (description?: string) => Error;
    InvalidTarget: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
  };
}
