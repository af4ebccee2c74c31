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
          // Mailed one-time tokens and the password they unlock, wherever a log line nests them.
          'token',
          'newPassword',
          '*.*.token',
          '*.*.newPassword',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
