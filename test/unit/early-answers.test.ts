import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { jsonMediaTypeFor } from '../../src/server/early-answers.ts';

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
