import {
  graphql,
  GraphQLError,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { EmailTakenError, InvalidCredentialsError } from '../../src/accounts/errors.ts';
import { ForbiddenError, MfaRequiredError, UnauthenticatedError } from '../../src/auth/errors.ts';
import { createErrorMask, createErrorRenderer, createRestErrorHandler } from '../../src/shared/client-errors.ts';
import {
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
} from '../../src/shared/errors.ts';

interface RestBody {
  errors: { message: string; extensions: { code: string } }[];
}

function silentLogger() {
  return pino({ level: 'silent' });
}

async function restAnswer(errors: readonly unknown[], logger = silentLogger()) {
  const response = createRestErrorHandler(createErrorRenderer(logger))(errors);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as RestBody };
}

// A scalar that, like src/graphql/scalars.ts's DateTime, refuses bad input with a plain TypeError.
const Strict = new GraphQLScalarType({
  name: 'Strict',
  parseValue: (value) => {
    if (value !== 'ok') throw new TypeError('Strict must be "ok"');
    return value;
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      double: { type: GraphQLInt, args: { n: { type: GraphQLInt } }, resolve: (_, args: { n: number }) => args.n * 2 },
      strict: { type: GraphQLString, args: { s: { type: Strict } }, resolve: () => 'fine' },
    },
  }),
});

/** The first error graphql-js itself reports for `source` run with `variableValues`. */
async function graphqlJsError(source: string, variableValues: Record<string, unknown>): Promise<GraphQLError> {
  const result = await graphql({ schema, source, variableValues });
  const error = result.errors?.[0];
  if (!error) throw new Error('graphql-js reported no error');
  return error;
}

function firstFieldNode(source: string): FieldNode {
  const operation = parse(source).definitions[0] as OperationDefinitionNode;
  const field = operation.selectionSet.selections[0];
  if (field?.kind !== 'Field') throw new Error('expected a field first');
  return field;
}

describe('createRestErrorHandler', () => {
  it('answers a domain error with its status, message and code', async () => {
    const { status, body } = await restAnswer([new EmailTakenError()]);
    expect(status).toBe(409);
    expect(body).toEqual({
      errors: [{ message: 'An account with this email already exists', extensions: { code: 'EMAIL_TAKEN' } }],
    });
  });

  it('sends the body as JSON', async () => {
    const { headers } = await restAnswer([new EmailTakenError()]);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
  });

  it.each([
    ['InvalidInputError', 400, 'BAD_USER_INPUT', new InvalidInputError('email', 'Email is not a valid address')],
    ['InvalidCredentialsError', 401, 'INVALID_CREDENTIALS', new InvalidCredentialsError()],
    ['ForbiddenError', 403, 'FORBIDDEN', new ForbiddenError('users:read')],
    ['NotFoundError', 404, 'NOT_FOUND', new NotFoundError('No such user')],
    ['MethodNotAllowedError', 405, 'METHOD_NOT_ALLOWED', new MethodNotAllowedError(['POST'])],
    ['PayloadTooLargeError', 413, 'PAYLOAD_TOO_LARGE', new PayloadTooLargeError(100)],
    ['RateLimitedError', 429, 'RATE_LIMITED', new RateLimitedError(300)],
  ] as const)('answers %s with status %i and code %s', async (_, expectedStatus, code, error) => {
    const { status, body } = await restAnswer([error]);
    expect(status).toBe(expectedStatus);
    expect(body.errors[0]?.extensions.code).toBe(code);
    expect(body.errors[0]?.message).toBe(error.message);
  });

  it('unwraps a GraphQLError whose originalError is a domain error to that domain code', async () => {
    const wrapped = new GraphQLError('wrapper text', { originalError: new EmailTakenError(), path: ['registerUser'] });
    const { status, body } = await restAnswer([wrapped]);
    expect(status).toBe(409);
    expect(body.errors).toEqual([{ message: 'An account with this email already exists', extensions: { code: 'EMAIL_TAKEN' } }]);
  });

  it('unwraps several levels of GraphQLError wrapping', async () => {
    const inner = new GraphQLError('inner', { originalError: new ForbiddenError('users:read') });
    const { status, body } = await restAnswer([new GraphQLError('outer', { originalError: inner })]);
    expect(status).toBe(403);
    expect(body.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('answers UNAUTHENTICATED with 401 and a Bearer www-authenticate challenge', async () => {
    const { status, headers, body } = await restAnswer([new UnauthenticatedError()]);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('sends no www-authenticate challenge on statuses other than 401', async () => {
    const { headers } = await restAnswer([new ForbiddenError('users:read')]);
    expect(headers.get('www-authenticate')).toBeNull();
  });

  it('answers several errors with the highest status among them, keeping every error in order', async () => {
    const { status, body } = await restAnswer([
      new UnauthenticatedError(),
      new EmailTakenError(),
      new InvalidInputError('email', 'bad'),
    ]);
    expect(status).toBe(409);
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED', 'EMAIL_TAKEN', 'BAD_USER_INPUT']);
  });

  it('picks the highest status wherever it sits in the list', async () => {
    expect((await restAnswer([new InvalidInputError('x', 'bad'), new ForbiddenError('a:b')])).status).toBe(403);
    expect((await restAnswer([new ForbiddenError('a:b'), new InvalidInputError('x', 'bad')])).status).toBe(403);
    expect((await restAnswer([new InvalidInputError('x', 'bad'), new Error('boom')])).status).toBe(500);
  });

  it('sends the 401 challenge only when 401 is the answer, not when a higher status wins', async () => {
    const { status, headers } = await restAnswer([new UnauthenticatedError(), new ForbiddenError('a:b')]);
    expect(status).toBe(403);
    expect(headers.get('www-authenticate')).toBeNull();
  });

  it('answers a variable-coercion error from graphql-js, which has no code, with 400 BAD_USER_INPUT', async () => {
    const error = await graphqlJsError('query ($n: Int) { double(n: $n) }', { n: 'abc' });
    expect(error.extensions.code).toBeUndefined();
    const { status, body } = await restAnswer([error]);
    expect(status).toBe(400);
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]?.message).toContain('Int cannot represent');
  });

  it('keeps the code a GraphQLError already carries when it is one of ours', async () => {
    const { status, body } = await restAnswer([new GraphQLError('no token', { extensions: { code: 'UNAUTHENTICATED' } })]);
    expect(status).toBe(401);
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers a bad variable as 400 BAD_USER_INPUT even when the scalar refused it with a plain TypeError', async () => {
    // graphql-js wraps the scalar's TypeError: GraphQLError("Variable ...") → GraphQLError("Expected type ...") → TypeError.
    const error = await graphqlJsError('query ($s: Strict) { strict(s: $s) }', { s: 'nope' });
    expect(error.message).toContain('Variable "$s" got invalid value');
    const { status, body } = await restAnswer([error]);
    expect(status).toBe(400);
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('masks an unexpected error as 500 INTERNAL_SERVER_ERROR without its message or stack', async () => {
    const { status, body, text } = await restAnswer([new Error('db password is hunter2')]);
    expect(status).toBe(500);
    expect(body.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
    expect(text).not.toContain('.ts:');
  });

  it('masks an unexpected error that a resolver threw and graphql-js wrapped', async () => {
    const wrapped = new GraphQLError('db password is hunter2', { originalError: new Error('db password is hunter2'), path: ['me'] });
    const { status, text } = await restAnswer([wrapped]);
    expect(status).toBe(500);
    expect(text).not.toContain('hunter2');
  });

  it('logs an unexpected error with the id the client is shown', async () => {
    const logger = silentLogger();
    const logError = vi.spyOn(logger, 'error');
    const original = new Error('db password is hunter2');
    const { body } = await restAnswer([original], logger);
    expect(logError).toHaveBeenCalledTimes(1);
    const [fields, message] = logError.mock.calls[0] ?? [];
    expect(message).toBe('unexpected error');
    expect(fields).toMatchObject({ err: original, errorId: expect.any(String) });
    const { errorId } = fields as { errorId: string };
    expect(body.errors[0]?.message).toContain(errorId);
  });

  it('does not log domain errors or client errors', async () => {
    const logger = silentLogger();
    const logError = vi.spyOn(logger, 'error');
    await restAnswer([new EmailTakenError(), new UnauthenticatedError(), new GraphQLError('Syntax Error: Unexpected Name')], logger);
    expect(logError).not.toHaveBeenCalled();
  });
});

describe('headers that go with an error', () => {
  it('sends Retry-After with RATE_LIMITED and Allow with METHOD_NOT_ALLOWED on REST', async () => {
    expect((await restAnswer([new RateLimitedError(300)])).headers.get('retry-after')).toBe('300');
    expect((await restAnswer([new MethodNotAllowedError(['GET', 'POST'])])).headers.get('allow')).toBe('GET, POST');
  });

  it('carries them to GraphQL responses in extensions.http, which Yoga turns into headers', () => {
    const masked = createErrorMask(silentLogger())(new GraphQLError('x', { originalError: new RateLimitedError(60) }));
    expect(masked.extensions).toEqual({ code: 'RATE_LIMITED', http: { headers: { 'retry-after': '60' } } });
  });
});

describe('extensions a domain error carries beside its code', () => {
  /** A domain error that tries to pass a code of its own through its extensions. */
  class Spoofing extends NotFoundError {
    override readonly extensions = { code: 'FORBIDDEN', hint: 42 };
  }

  it('sends them in the REST body next to the code, and keeps the code authoritative', async () => {
    const { status, body } = await restAnswer([new MfaRequiredError('the-token'), new Spoofing('gone')]);
    expect(status).toBe(404);
    expect(body.errors.map((error) => error.extensions)).toEqual([
      { code: 'MFA_REQUIRED', mfaToken: 'the-token' },
      { code: 'NOT_FOUND', hint: 42 },
    ]);
  });

  it('sends them in the GraphQL error, and keeps them when SOFA hands the masked error to the REST handler', async () => {
    const masked = createErrorMask(silentLogger())(new GraphQLError('x', { originalError: new MfaRequiredError('the-token'), path: ['loginUser'] }));
    expect(masked.extensions).toEqual({ code: 'MFA_REQUIRED', mfaToken: 'the-token' });
    const { status, headers, body } = await restAnswer([masked]);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="janus"');
    expect(body.errors[0]?.extensions).toEqual({ code: 'MFA_REQUIRED', mfaToken: 'the-token' });
    expect(createErrorMask(silentLogger())(new Spoofing('gone')).extensions).toEqual({ code: 'NOT_FOUND', hint: 42 });
  });

  it("sends a step-up's own challenge instead of the plain one, and no mfaToken, also once the mask mapped it", async () => {
    const masked = createErrorMask(silentLogger())(new MfaRequiredError());
    for (const error of [new MfaRequiredError(), masked]) {
      const { status, headers, body } = await restAnswer([error]);
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toMatch(/^Bearer realm="janus", error="insufficient_user_authentication"/);
      expect(body.errors[0]?.extensions).toEqual({ code: 'MFA_REQUIRED' });
    }
  });
});

describe('createErrorMask', () => {
  const mask = createErrorMask(silentLogger());

  it('turns a GraphQLError wrapping EmailTakenError into one with extensions exactly { code: "EMAIL_TAKEN" }, keeping the path', () => {
    const error = new GraphQLError('wrapper', {
      originalError: new EmailTakenError(),
      path: ['registerUser'],
      extensions: { code: 'SOMETHING_ELSE', debug: 'internal detail' },
    });
    const masked = mask(error);
    expect(masked).toBeInstanceOf(GraphQLError);
    expect(masked.message).toBe('An account with this email already exists');
    expect(masked.extensions).toEqual({ code: 'EMAIL_TAKEN' });
    expect(masked.path).toEqual(['registerUser']);
  });

  it('keeps the source locations of the error', () => {
    const source = '{\n  me { id }\n}';
    const error = new GraphQLError('wrapper', { originalError: new UnauthenticatedError(), nodes: [firstFieldNode(source)], path: ['me'] });
    const masked = mask(error);
    expect(masked.locations).toEqual([{ line: 2, column: 3 }]);
    expect(masked.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('masks an unexpected resolver error, dropping its message and original error', () => {
    const masked = mask(new GraphQLError('db password is hunter2', { originalError: new Error('db password is hunter2'), path: ['me'] }));
    expect(masked.message).not.toContain('hunter2');
    expect(masked.message).toMatch(/^Unexpected error \(request id [0-9a-f-]{36}\)$/);
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(masked.originalError).toBeUndefined();
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(masked.path).toEqual(['me']);
  });

  it('masks a non-GraphQLError thrown value without a path', () => {
    const masked = mask(new Error('boom'));
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(masked.path).toBeUndefined();
  });

  it('gives a graphql-js request error without code BAD_USER_INPUT and keeps its location', async () => {
    const error = await graphqlJsError('query ($n: Int) { double(n: $n) }', { n: 'abc' });
    const masked = mask(error);
    expect(masked.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(masked.locations).toEqual(error.locations);
  });
});

describe('the cost of an expected rejection', () => {
  const mask = createErrorMask(silentLogger());

  it('builds domain errors without a stack trace, keeping name and message', () => {
    const error = new UnauthenticatedError();
    expect(error).toBeInstanceOf(Error);
    expect(error.stack).not.toMatch(/\n\s+at /);
    expect(String(error.stack)).toContain('A valid access token is required');
  });

  it('leaves stack traces of other errors alone', () => {
    new ForbiddenError('users:read');
    expect(new Error('a bug').stack).toMatch(/\n\s+at /);
  });

  it('passes an error it already mapped through unchanged instead of mapping it again', () => {
    const mapped = mask(new UnauthenticatedError());
    expect(mask(mapped)).toBe(mapped);
    expect(mapped.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});
