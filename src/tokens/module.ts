import { defineModule } from '../modules/module.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import * as resolvers from './resolvers.ts';
import { Session } from './session.entity.ts';

/** Sessions and their refresh tokens. */
export const module = defineModule({
  name: 'tokens',
  sdl: [new URL('./sessions.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  entities: [Session, RefreshToken],
});
