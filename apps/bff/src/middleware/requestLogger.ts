/**
 * One log line per request (pino-http): id, method, path, client address and user agent, status,
 * time, at the configured level (`debug` with the simulator, so the terminal stays quiet; refusals
 * one step up in real mode; 5xx always `error`). Health checks are skipped. Request headers are logged by allowlist, not by redaction: a
 * header that is not named here (cookies, CSRF tokens, idempotency keys, authorisations) never
 * reaches the log, whatever it is called; and serialising every header of every request was the
 * most expensive part of a warm request's log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { RequestLogLevel } from '../config.ts';
import type { Logger } from '../logger.ts';

const QUIET_PATHS = new Set(['/api/health', '/api/ready']);

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** Express rewrites `url` inside mounted routers; `originalUrl` is the request's own. */
function requestPath(req: IncomingMessage & { originalUrl?: string }): string {
  return pathOf(req.originalUrl ?? req.url);
}

export function requestLogger(
  logger: Logger,
  { level = 'info' }: { level?: RequestLogLevel } = {},
) {
  const refusal = level === 'info' ? 'warn' : level;
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId: (req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req.url)) },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? refusal : level,
    // The line reads on its own on a terminal; the same facts are in `req` and `res`.
    customSuccessMessage: (req, res, responseTime) =>
      `${req.method ?? ''} ${requestPath(req)} → ${res.statusCode} (${Math.round(responseTime)} ms)`,
    customErrorMessage: (req, res) =>
      `${req.method ?? ''} ${requestPath(req)} → ${res.statusCode} (failed)`,
    // Our own serializers, given Node's objects as they are (not pino's copies of them, which
    // gather every header): no bodies, no query strings (search terms are user data), no secrets.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        path: pathOf(req.url),
        remoteAddress: req.socket.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      // The status says what happened; the response headers are the same fixed set (CSP, HSTS…)
      // on every line, and serialising them cost more than the rest of the line.
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  });
}
