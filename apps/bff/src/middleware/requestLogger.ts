/**
 * One log line per request (pino-http): id, method, path, client address and user agent, status,
 * time. Health checks are skipped. Request headers are logged by allowlist, not by redaction: a
 * header that is not named here (cookies, CSRF tokens, idempotency keys, authorisations) never
 * reaches the log, whatever it is called; and serialising every header of every request was the
 * most expensive part of a warm request's log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';

const QUIET_PATHS = new Set(['/api/health', '/api/ready']);

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

export function requestLogger(logger: Logger) {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId: (req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req.url)) },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
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
