/**
 * Turns requests into audit entries, once each response is finished: every sign-in and sign-out,
 * every preflight, install and cancel (whatever the outcome), and every refusal by a guard (401,
 * 403, 429, or a server outside the user's patterns). Other requests are not audited. An install
 * OVH accepted is `submitted`; how it ends is recorded later (install/installOutcomes.ts), linked
 * to this entry by the id `auditEntryId(req)` gives the route.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AuditEntryDto, AuditEvent, AuditOutcome, PreflightCheckId } from '@byoi/shared';
import { isIdempotentReplay } from '../middleware/idempotency.ts';
import { wasRefusedForScope } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import type { AuditLog, NewAuditEntry } from './auditLog.ts';
import { redactMessage, redactUrl, sha256Hex } from '../redact.ts';

export interface AuditedRoute {
  method: string;
  /** Matched against the path; the first capture group is the server name. */
  pattern: RegExp;
  event: Extract<AuditEvent, 'preflight' | 'install' | 'cancel'>;
  /** Answers a text/event-stream whose last event tells the outcome. */
  stream?: boolean;
}

export const AUDITED_ROUTES: AuditedRoute[] = [
  { method: 'POST', pattern: /^\/api\/servers\/([^/]+)\/preflight\/?$/, event: 'preflight' },
  {
    method: 'POST',
    pattern: /^\/api\/servers\/([^/]+)\/preflight\/verify\/?$/,
    event: 'preflight',
    stream: true,
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
  // A library image's stored headers are added server-side: the entry names the image they came from.
  const library = asObject(b.libraryImage);
  const libraryId = asString(library?.id);
  if (libraryId !== undefined) facts.imageId = libraryId.slice(0, 64);
  if (typeof library?.version === 'number') facts.imageVersion = library.version;
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

/** What the answer said beyond its status: a preflight's failed verdict, the install's ack. */
function judged(
  { event, stream: streamed }: AuditedRoute,
  req: Request,
  status: number,
  body: unknown,
  stream: StreamEvent | null,
  refused: boolean,
): Partial<AuditEntryDto> {
  const outcome = outcomeOf(status, refused);
  if (event === 'install') {
    const ack = acknowledged(req.body);
    return {
      outcome: status === 202 ? 'submitted' : outcome,
      ...(ack ? { acknowledged: ack } : {}),
    };
  }
  if (event !== 'preflight' || outcome !== 'success') return { outcome };
  // A verification that ended without a result or an error was stopped by the operator.
  if (streamed) return stream === null ? { outcome: 'cancelled' } : verifyOutcome(stream);
  const report = asObject(body);
  if (report?.verdict !== 'fail') return { outcome };
  const checks = Array.isArray(report.checks) ? report.checks.map(asObject) : [];
  const failedChecks = checks
    .filter((c) => c?.status === 'fail' && typeof c.id === 'string')
    .map((c) => String(c?.id).slice(0, 32) as PreflightCheckId);
  const message = asString(report.predictedMessage);
  return {
    outcome: 'failure',
    failedChecks,
    ...(message !== undefined ? { message: redactMessage(message) } : {}),
  };
}

/** The checksum verification's last event: a mismatch or an error is a failed check. */
function verifyOutcome(stream: StreamEvent): Partial<AuditEntryDto> {
  const data = asObject(stream.data);
  const predicted = asString(data?.predictedMessage);
  const message = predicted !== undefined ? { message: redactMessage(predicted) } : {};
  if (stream.event === 'result') {
    return data?.match === true
      ? { outcome: 'success' }
      : { outcome: 'failure', failedChecks: ['checksum'], ...message };
  }
  const code = asString(data?.code);
  return {
    outcome: 'failure',
    ...(code !== undefined ? { code: code.slice(0, 64) } : {}),
    ...message,
  };
}

function acknowledged(body: unknown): AuditEntryDto['acknowledged'] | undefined {
  const predicted = asString(asObject(asObject(body)?.acknowledgement)?.predictedMessage);
  if (predicted === undefined || predicted.trim() === '') return undefined;
  return { predictedMessage: redactMessage(predicted.trim()) };
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

interface StreamEvent {
  event: 'result' | 'error';
  data: unknown;
}

const FINAL_EVENT = /^event: (result|error)\ndata: (.*)\n\n$/s;

/** The last `result` or `error` event of a text/event-stream answer (the checksum verification). */
function watchEvents(res: Response): () => StreamEvent | null {
  let last: StreamEvent | null = null;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.length < 64 * 1024) {
      const match = FINAL_EVENT.exec(chunk);
      if (match) {
        try {
          last = { event: match[1] as StreamEvent['event'], data: JSON.parse(match[2] ?? '') };
        } catch {
          // Not JSON: the event still counts, without its details.
          last = { event: match[1] as StreamEvent['event'], data: null };
        }
      }
    }
    return write(chunk, ...rest);
  }) as Response['write'];
  return () => last;
}

const entryIds = new WeakMap<Request, string>();

/** The id the request's audit entry will have (the install route links the outcome to it). */
export function auditEntryId(req: Request): string | undefined {
  return entryIds.get(req);
}

export function auditTrail(log: AuditLog, routes: AuditedRoute[] = AUDITED_ROUTES): RequestHandler {
  return (req, res, next) => {
    const body = watchJson(res);
    const events = watchEvents(res);
    const id = randomUUID();
    entryIds.set(req, id);
    // The entry is committed to the store before the end of the answer leaves: a client that got
    // an answer can rely on its audit entry surviving a crash of the console.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let ended = false;
    res.end = ((...args: unknown[]) => {
      if (ended) return end(...args);
      ended = true;
      const entry = toEntry(req, res.statusCode, body(), events(), routes);
      if (!entry) return end(...args);
      void log.recordDurably({ id, ...entry }).finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

/**
 * Who asked what, as every audit entry of a request says it: time, user and role, address, method
 * and route (its path only: a query may hold a token), and the answer's status.
 */
export function requestFacts(req: Request, status: number, time = new Date()) {
  const user = sessionUser(req);
  return {
    time: time.toISOString(),
    user: user?.username ?? null,
    role: user?.role ?? null,
    ip: req.ip ?? null,
    method: req.method,
    route: (req.originalUrl.split('?')[0] ?? '').slice(0, 512),
    status,
  };
}

function toEntry(
  req: Request,
  status: number,
  body: unknown,
  stream: StreamEvent | null,
  routes: AuditedRoute[],
): NewAuditEntry | null {
  // Reads that went through are never audited (no audited route is a GET): most responses stop here.
  if (req.method === 'GET' && status !== 404 && !REFUSAL_STATUSES.has(status)) return null;
  const path = req.originalUrl.split('?')[0] ?? '';
  const scopeRefusal = status === 404 && wasRefusedForScope(req);
  const refused = REFUSAL_STATUSES.has(status) || scopeRefusal;
  const base = {
    ...requestFacts(req, status),
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
      ...judged(route, req, status, body, stream, refused),
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
