import { describe, expect, it } from 'vitest';
import { createKnownOperations } from '../../src/graphql/known-operations.ts';

describe('createKnownOperations', () => {
  it('answers for the exact query text and operation name it learned, and nothing else', () => {
    const known = createKnownOperations<string>();
    known.learn({ query: '{ me { id } }' }, 'me');
    known.learn({ query: 'query A { me { id } } query B { roles { name } }', operationName: 'B' }, 'roles');
    expect(known.get({ query: '{ me { id } }' })).toBe('me');
    expect(known.get({ query: '{ me { id }}' })).toBeUndefined();
    expect(known.get({ query: '{ me { id } }', operationName: '' })).toBeUndefined();
    expect(known.get({ query: 'query A { me { id } } query B { roles { name } }', operationName: 'B' })).toBe('roles');
    expect(known.get({ query: 'query A { me { id } } query B { roles { name } }', operationName: 'A' })).toBeUndefined();
  });

  it('cannot be fooled by an operation name that carries part of the query text', () => {
    const known = createKnownOperations<string>();
    known.learn({ query: 'B:{ me }', operationName: 'A' }, 'learned');
    expect(known.get({ query: '{ me }', operationName: 'A:B' })).toBeUndefined();
  });

  it('keeps the first fact learned for a text', () => {
    const known = createKnownOperations<string>();
    known.learn({ query: '{ me }' }, 'first');
    known.learn({ query: '{ me }' }, 'second');
    expect(known.get({ query: '{ me }' })).toBe('first');
  });

  it('does not remember long texts, missing texts, or more than a thousand texts', () => {
    const known = createKnownOperations<number>();
    known.learn({ query: `{ me ${' '.repeat(5000)}}` }, 1);
    expect(known.get({ query: `{ me ${' '.repeat(5000)}}` })).toBeUndefined();
    known.learn(undefined, 2);
    known.learn({}, 3);
    expect(known.get({})).toBeUndefined();
    for (let i = 0; i <= 1000; i++) known.learn({ query: `{ a${i} }` }, i);
    expect(known.get({ query: '{ a0 }' })).toBeUndefined();
    expect(known.get({ query: '{ a1 }' })).toBe(1);
    expect(known.get({ query: '{ a1000 }' })).toBe(1000);
  });

  it('forgets everything on clear', () => {
    const known = createKnownOperations<string>();
    known.learn({ query: '{ me }' }, 'me');
    known.clear();
    expect(known.get({ query: '{ me }' })).toBeUndefined();
  });
});
