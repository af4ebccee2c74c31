import type { YogaInitialContext } from 'graphql-yoga';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../server/services.ts';

/** What the server adds to every operation's context, on both surfaces. */
export interface AppContext {
  services: Services;
  /** The address rate limits count against. */
  clientIp: string;
  /** Set by the auth plugin: the caller behind a valid access token, or null. */
  principal?: Principal | null;
}

/** What every resolver receives. */
export type Context = YogaInitialContext & AppContext;
