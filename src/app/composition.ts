import { buildSchema } from '../graphql/schema.ts';
import { composeModules } from '../modules/compose.ts';
import * as modules from './modules.ts';

/** The modules of src/app/modules.ts, composed once per process. */
export const composition = composeModules(Object.values(modules));

/** The executable schema of every module: what the server serves, codegen types and the contract check compares. */
export const appSchema = () => buildSchema(composition);
