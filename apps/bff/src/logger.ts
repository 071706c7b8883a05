/**
 * The app's pino logger. Redaction is the second line of defence (the first is never logging
 * bodies or headers that carry secrets): any field that could hold a credential is censored.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

export const REDACTED = '[redacted]';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'res.headers["set-cookie"]',
  'res.body',
  'body',
  '*.applicationSecret',
  '*.consumerKey',
  '*.applicationKey',
  '*.password',
];

export function createLogger(options: {
  level: LogLevel;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { app: 'byoi-bff' },
    },
    options.destination,
  );
}
