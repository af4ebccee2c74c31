import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createEarlyAnswers, jsonMediaTypeFor } from '../../src/graphql/early-answers.ts';

/** A bare Yoga that answers every request with one error: its media type is Yoga's own choice. */
const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String }' }),
  logging: false,
  plugins: [
    {
      onParams({ setResult }) {
        setResult({ errors: [new GraphQLError('refused')] });
      },
    },
  ],
});

async function yogaMediaType(accept: string | undefined): Promise<string | undefined> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept === undefined ? {} : { accept }) },
    body: JSON.stringify({ query: '{ hello }' }),
  });
  await response.arrayBuffer();
  const type = response.headers.get('content-type')?.split(';')[0];
  return type === 'application/json' || type === 'application/graphql-response+json' ? type : undefined;
}

describe('jsonMediaTypeFor', () => {
  it.each([
    undefined,
    '*/*',
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json',
    'application/json, application/graphql-response+json',
    'application/graphql-response+json;q=0.5, application/json;q=0.9',
    'application/*',
    'text/html, application/xhtml+xml, */*;q=0.8',
    'Application/JSON',
    'application/json; charset=iso-8859-1',
    'application/json; charset=iso-8859-1, application/graphql-response+json',
    'text/event-stream',
    'multipart/mixed',
    'multipart/mixed, application/json',
    'text/plain',
  ])('picks what Yoga picks for Accept: %s', async (accept) => {
    expect(jsonMediaTypeFor(accept ?? null)).toBe(await yogaMediaType(accept));
  });
});

describe('createEarlyAnswers', () => {
  const answerEarly = createEarlyAnswers({
    graphqlPath: '/graphql',
    isRestOperation: (pathname) => pathname.startsWith('/rest/'),
    respondRest: () => new Response('refused', { status: 401 }),
  });
  const refusalOf = (error: GraphQLError, accept: string) => {
    const request = new Request('http://localhost/graphql', { method: 'POST', headers: { accept } });
    return { request, url: new URL(request.url), error, fetchAPI: yoga.fetchAPI };
  };
  const read = async (response: Response | undefined) => ({
    status: response?.status,
    type: response?.headers.get('content-type'),
    body: await response?.text(),
  });

  it('shapes a refusal once per media type, then replays it without a promise', async () => {
    const error = new GraphQLError('refused', { extensions: { code: 'UNAUTHENTICATED' } });
    const shaped = await read(await answerEarly(refusalOf(error, 'application/json')));
    expect(shaped.body).toContain('UNAUTHENTICATED');

    const replayed = answerEarly(refusalOf(error, 'application/json'));
    expect(replayed).toBeInstanceOf(yoga.fetchAPI.Response);
    expect(await read(await replayed)).toEqual(shaped);
    // Another media type is shaped anew, with its own content type.
    const other = await read(await answerEarly(refusalOf(error, 'application/graphql-response+json')));
    expect(other.type).toContain('application/graphql-response+json');
  });
});
