/**
 * Turns requests into audit entries, once each response is finished: every sign-in and sign-out,
 * every preflight, install and cancel (whatever the outcome), and every refusal by a guard (401,
 * 403, 429, or a server outside the user's patterns). Other requests are not audited.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AuditEntryDto, AuditEvent, AuditOutcome } from '@byoi/shared';
import { isIdempotentReplay } from '../middleware/idempotency.ts';
import { wasRefusedForScope } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import type { AuditLog } from './auditLog.ts';
import { redactUrl, sha256Hex } from './redact.ts';

export interface AuditedRoute {
  method: string;
  /** Matched against the path; the first capture group is the server name. */
  pattern: RegExp;
  event: Extract<AuditEvent, 'preflight' | 'install' | 'cancel'>;
}

export const AUDITED_ROUTES: AuditedRoute[] = [
  { method: 'POST', pattern: /^\/api\/servers\/([^/]+)\/preflight\/?$/, event: 'preflight' },
  {
    method: 'POST',
    pattern: /^\/api\/servers\/([^/]+)\/preflight\/verify\/?$/,
    event: 'preflight',
  },
  { method: 'POST', pattern: /^\/api\/servers\/([^/]+)\/install\/?$/, event: 'install' },
  { method: 'POST', pattern: /^\/api\/servers\/([^/]+)\/install\/cancel\/?$/, event: 'cancel' },
  { method: 'DELETE', pattern: /^\/api\/servers\/([^/]+)\/install\/?$/, event: 'cancel' },
];

const REFUSAL_STATUSES = new Set([401, 403, 429]);

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function errorCode(body: unknown): string | undefined {
  return asString(asObject(asObject(body)?.error)?.code);
}

function taskId(body: unknown): number | undefined {
  const id = asObject(asObject(body)?.task)?.taskId;
  return typeof id === 'number' ? id : undefined;
}

/** The image facts of a preflight or install body; header values and user data only as digests. */
export function imageFacts(body: unknown): Partial<AuditEntryDto> {
  const b = asObject(body);
  if (!b) return {};
  const facts: Partial<AuditEntryDto> = {};
  const imageURL = asString(b.imageURL);
  if (imageURL !== undefined) facts.imageURL = redactUrl(imageURL);
  const checksumFileURL = asString(b.checksumFileURL);
  if (checksumFileURL !== undefined) facts.checksumFileURL = redactUrl(checksumFileURL);
  const imageType = asString(b.imageType);
  if (imageType !== undefined) facts.imageType = imageType.slice(0, 16);
  const sum = asString(b.imageCheckSum);
  if (sum !== undefined) facts.imageCheckSum = sum.slice(0, 128);
  const sumType = asString(b.imageCheckSumType);
  if (sumType !== undefined) facts.imageCheckSumType = sumType.slice(0, 16);
  if (Array.isArray(b.httpHeaders)) {
    facts.httpHeaders = b.httpHeaders.slice(0, 20).map((h) => {
      const header = asObject(h);
      return {
        name: (asString(header?.name) ?? '').slice(0, 256),
        valueSha256: sha256Hex(asString(header?.value) ?? ''),
      };
    });
  }
  const userData = asString(b.configDriveUserData);
  if (userData !== undefined && userData !== '')
    facts.configDriveUserDataSha256 = sha256Hex(userData);
  return facts;
}

function signInName(body: unknown): string | null {
  const name = asString(asObject(body)?.username);
  return name === undefined ? null : name.slice(0, 64);
}

function outcomeOf(status: number, refused: boolean): AuditOutcome {
  if (refused) return 'refused';
  return status < 400 ? 'success' : 'failure';
}

/** Records the JSON body the response carries, for the error code and task id. */
function watchJson(res: Response): () => unknown {
  let body: unknown;
  const json = res.json.bind(res);
  res.json = ((value: unknown) => {
    body = value;
    return json(value);
  }) as Response['json'];
  return () => body;
}

export function auditTrail(log: AuditLog, routes: AuditedRoute[] = AUDITED_ROUTES): RequestHandler {
  return (req, res, next) => {
    const body = watchJson(res);
    res.once('finish', () => {
      const entry = toEntry(req, res.statusCode, body(), routes);
      if (entry) log.record(entry);
    });
    next();
  };
}

function toEntry(
  req: Request,
  status: number,
  body: unknown,
  routes: AuditedRoute[],
): AuditEntryDto | null {
  // Reads that went through are never audited (no audited route is a GET): most responses stop here.
  if (req.method === 'GET' && status !== 404 && !REFUSAL_STATUSES.has(status)) return null;
  const path = req.originalUrl.split('?')[0] ?? '';
  const user = sessionUser(req);
  const scopeRefusal = status === 404 && wasRefusedForScope(req);
  const refused = REFUSAL_STATUSES.has(status) || scopeRefusal;
  const base = {
    time: new Date().toISOString(),
    user: user?.username ?? null,
    role: user?.role ?? null,
    ip: req.ip ?? null,
    method: req.method,
    route: path.slice(0, 512),
    status,
    ...(errorCode(body) !== undefined ? { code: errorCode(body) } : {}),
  };

  if (path === '/api/session' && (req.method === 'POST' || req.method === 'DELETE')) {
    const event: AuditEvent = req.method === 'POST' ? 'sign-in' : 'sign-out';
    const signedIn = req.method === 'POST' && status < 400;
    return {
      ...base,
      event,
      // At sign-in, "who" is the name that was tried, whether or not it exists.
      user: req.method === 'POST' ? signInName(req.body) : base.user,
      role: req.method === 'POST' && !signedIn ? null : base.role,
      outcome: outcomeOf(status, status === 429 || status === 403),
    };
  }

  for (const route of routes) {
    const match = req.method === route.method ? route.pattern.exec(path) : null;
    if (!match) continue;
    const server = safeDecode(match[1] ?? '');
    const id = taskId(body);
    return {
      ...base,
      event: route.event,
      outcome: outcomeOf(status, refused),
      server,
      ...imageFacts(req.body),
      ...(id !== undefined ? { taskId: id } : {}),
      ...idempotency(req),
    };
  }

  if (!refused) return null;
  return { ...base, event: 'refusal', outcome: 'refused' };
}

function idempotency(req: Request): Partial<AuditEntryDto> {
  const key = req.get('idempotency-key');
  if (key === undefined) return {};
  return { idempotencyKeySha256: sha256Hex(key), replayed: isIdempotentReplay(req) };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment).slice(0, 253);
  } catch {
    return segment.slice(0, 253);
  }
}
