import { readFileSync } from 'node:fs';
import type { OpenApiInfo } from './document.ts';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export const API_INFO: OpenApiInfo = {
  title: 'Janus REST API',
  version,
  description: [
    'The REST mirror of the Janus GraphQL schema: each query is a `GET`, each mutation a `POST` whose arguments',
    'travel only as a JSON body. Access tokens from either surface work on both: send',
    '`Authorization: Bearer <token>`. Every error answers `{"errors":[{"message","extensions":{"code"}}]}` with the',
    "HTTP status of its code; a path called with the wrong method answers 405 `METHOD_NOT_ALLOWED` with `Allow`.",
  ].join(' '),
};
