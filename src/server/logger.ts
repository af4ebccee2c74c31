import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; anything that could carry a secret is redacted before it is written. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['req.headers.authorization', '*.password', '*.refreshToken', '*.token'],
      censor: '[redacted]',
    },
  });
}
