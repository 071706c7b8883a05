/**
 * The app's pino logger. Redaction is the second line of defence (the first is never logging
 * bodies or headers that carry secrets): any field that could hold a credential is censored.
 * JSON lines for log shippers; on a terminal, one human-readable line per entry (pino-pretty, in
 * process and synchronous, after the same redaction).
 */
import pretty from 'pino-pretty';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config.ts';

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

/**
 * On a terminal the message says it all: a request line reads `GET /api/servers → 200 (3 ms)`, an
 * audit line `audit install submitted by olivia on ns1…`; their objects stay in the JSON format.
 */
const PRETTY_HIDDEN = 'pid,hostname,app,req,res,responseTime,audit';

/** `auto` means pretty when the output is a terminal. */
export function usePretty(format: LogFormat, isTTY: boolean | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY === true);
}

export function prettyStream(
  options: { colorize?: boolean; destination?: DestinationStream | NodeJS.WritableStream } = {},
): DestinationStream {
  return pretty({
    colorize: options.colorize ?? pretty.isColorSupported,
    ignore: PRETTY_HIDDEN,
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    sync: true,
    ...(options.destination ? { destination: options.destination } : {}),
  });
}

export function createLogger(options: {
  level: LogLevel;
  destination?: DestinationStream;
  /** Human-readable lines (to `destination`, or stdout) instead of JSON. */
  pretty?: boolean;
}): Logger {
  const destination = options.pretty
    ? prettyStream(options.destination ? { destination: options.destination } : {})
    : options.destination;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { app: 'byoi-bff' },
    },
    destination,
  );
}
