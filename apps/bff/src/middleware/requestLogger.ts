/** One log line per request (pino-http): method, path, status, time. Health checks are skipped. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import { REDACTED } from '../logger.ts';

const QUIET_PATHS = new Set(['/api/health', '/api/ready']);

/** Headers that carry credentials or session state; `X-Ovh-*` covers every OVH signing header. */
function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === 'authorization' ||
    lower === 'cookie' ||
    lower === 'set-cookie' ||
    lower === 'proxy-authorization' ||
    lower === 'x-csrf-token' ||
    lower === 'idempotency-key' ||
    lower.startsWith('x-ovh-')
  );
}

export function redactHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!headers) return headers;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = isSecretHeader(name) ? REDACTED : value;
  return out;
}

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
    // Our own serializers: no bodies, no query strings (search terms are user data), no secrets.
    serializers: {
      req: (req: {
        id?: unknown;
        method?: string;
        url?: string;
        headers?: Record<string, unknown>;
      }) => ({
        id: req.id,
        method: req.method,
        path: pathOf(req.url),
        headers: redactHeaders(req.headers),
      }),
      // The status says what happened; the response headers are the same fixed set (CSP, HSTS…)
      // on every line, and serialising them cost more than the rest of the line.
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
