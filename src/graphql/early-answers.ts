import { isPromise, processRegularResult, type FetchAPI } from 'graphql-yoga';
import type { EarlyRefusal } from '../auth/plugin.ts';
import type { GraphQLError } from 'graphql';
import { setBounded } from '../shared/bounded-map.ts';

const JSON_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type JsonMediaType = (typeof JSON_TYPES)[number];

const matches = (wanted: JsonMediaType, accepted: string): boolean => {
  const [type, subtype] = accepted.split('/');
  const [wantedType, wantedSubtype] = wanted.split('/');
  return (type === '*' || type === wantedType) && (subtype === '*' || subtype === wantedSubtype);
};

/**
 * The JSON media type Yoga's result processing answers a GraphQL request with, for its Accept
 * header; undefined when that would be a stream (SSE, multipart) or a 406. Yoga's rule, restated
 * (a unit test holds the two together): the first accepted type, in the header's order and with
 * a UTF-8 charset, that either JSON type matches; `application/json` whenever it matches that entry.
 */
export function jsonMediaTypeFor(accept: string | null): JsonMediaType | undefined {
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [accepted = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    if (matches('application/json', accepted)) return 'application/json';
    if (matches('application/graphql-response+json', accepted)) return 'application/graphql-response+json';
  }
  return undefined;
}

// Accept is the client's to write: remembered for this many distinct values at most.
const KNOWN_ACCEPT_HEADERS = 64;

interface Answer {
  body: string;
  status: number;
  headers: [string, string][];
}

/**
 * Shapes the auth plugin's early refusals as each surface answers errors: GraphQL through Yoga's
 * own result processor (same status, media type and body as a refusal later in the pipeline),
 * REST through the REST error handler. Other paths (health, metrics, documents) are not operations.
 */
export function createEarlyAnswers(options: {
  graphqlPath: string;
  /** Whether a path is a REST operation (not the REST docs or the OpenAPI document). */
  isRestOperation(pathname: string): boolean;
  respondRest(errors: readonly unknown[]): Response;
}): (refusal: EarlyRefusal) => Response | undefined | Promise<Response | undefined> {
  // A refusal is one immutable error: Yoga's processor shapes its answer once per media type
  // (its copy of the error and the JSON cost more than the rest of an early refusal), then it is
  // replayed, at once: a promise per refusal would cost more than the replay itself.
  const answers = new WeakMap<GraphQLError, Map<JsonMediaType, Answer | Promise<Answer>>>();
  const answerOf = (error: GraphQLError, mediaType: JsonMediaType, fetchAPI: FetchAPI): Answer | Promise<Answer> => {
    let byMediaType = answers.get(error);
    if (!byMediaType) answers.set(error, (byMediaType = new Map()));
    const known = byMediaType.get(mediaType);
    if (known) return known;
    const response = processRegularResult({ errors: [error] }, fetchAPI, mediaType);
    // Settles later, whether the fetch implementation's text() settles at once or not, so the
    // settled answer below always replaces this pending one.
    const shaping = Promise.resolve(response.text()).then((body) => {
      const answer = { body, status: response.status, headers: [...response.headers] };
      byMediaType.set(mediaType, answer);
      return answer;
    });
    byMediaType.set(mediaType, shaping);
    return shaping;
  };
  // Clients send the same few Accept headers over and over: each is read once.
  const mediaTypes = new Map<string, JsonMediaType | undefined>();
  const mediaTypeOf = (accept: string | null): JsonMediaType | undefined => {
    const key = accept ?? '';
    if (mediaTypes.has(key)) return mediaTypes.get(key);
    const mediaType = jsonMediaTypeFor(accept);
    setBounded(mediaTypes, key, mediaType, KNOWN_ACCEPT_HEADERS);
    return mediaType;
  };
  const replay = ({ body, status, headers }: Answer, fetchAPI: FetchAPI): Response =>
    new fetchAPI.Response(body, { status, headers });

  return ({ request, url, error, fetchAPI }) => {
    if (url.pathname === options.graphqlPath) {
      const mediaType = mediaTypeOf(request.headers.get('accept'));
      if (!mediaType) return undefined;
      const answer = answerOf(error, mediaType, fetchAPI);
      return isPromise(answer) ? answer.then((shaped) => replay(shaped, fetchAPI)) : replay(answer, fetchAPI);
    }
    if (options.isRestOperation(url.pathname)) return options.respondRest([error]);
    return undefined;
  };
}
