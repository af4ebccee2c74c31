import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequest } from '../shared/request-context.ts';

export type { Logger };

/**
 * JSON lines on stdout, each tagged with the request it belongs to. Anything that could carry a
 * secret is redacted before it is written.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      mixin: () => {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.password',
          '*.currentPassword',
          '*.newPassword',
          '*.refreshToken',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
