/**
 * `Idempotency-Key` on install: the first request with a key runs; every replay with the same key
 * (same user, same server) gets the first result — concurrent replays wait for it — and never starts
 * a second install. Entries live in an in-memory LRU with a TTL, per replica: replicas behind a load
 * balancer need sticky routing for replays to meet their first request (the per-server "install in
 * progress" check upstream still refuses a second install either way).
 */
import { createHash } from 'node:crypto';
import canonicalJson from 'safe-stable-stringify';
import type { Request, RequestHandler, Response } from 'express';
import { sendApiError } from '../apiError.ts';
import { sessionUser } from './session.ts';

export interface IdempotencyOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Captured {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  createdAt: number;
  result: Promise<Captured | null>;
}

const KEY_RULE = /^[\x21-\x7e]{1,255}$/;
const replays = new WeakSet<Request>();

/** True when this request was answered from a stored first result. */
export function isIdempotentReplay(req: Request): boolean {
  return replays.has(req);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Records the JSON body the route answers with, and resolves once the response is over. */
function capture(res: Response): Promise<Captured | null> {
  let captured: Captured | null = null;
  const json = res.json.bind(res);
  res.json = ((body: unknown) => {
    captured = { status: res.statusCode, body };
    return json(body);
  }) as Response['json'];
  return new Promise((resolve) => {
    res.once('finish', () => resolve(captured));
    res.once('close', () => resolve(captured));
  });
}

export function createIdempotency(options: IdempotencyOptions = {}): RequestHandler {
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function evict(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (entries.size <= maxEntries && t - entry.createdAt <= ttlMs) break;
      entries.delete(key);
    }
  }

  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!KEY_RULE.test(key)) {
      return sendApiError(
        res,
        400,
        'VALIDATION_FAILED',
        'The Idempotency-Key header must be 1–255 visible ASCII characters, e.g. a UUID. Send a fresh one for each new install.',
      );
    }
    const user = sessionUser(req)?.username.toLowerCase() ?? `ip:${req.ip ?? ''}`;
    const server = (req.params as Record<string, string | undefined>).sn ?? '';
    const id = sha256(`${user}\n${server}\n${key}`);
    // Canonical JSON (keys sorted at every level): the same request in another key order is the
    // same request.
    const fingerprint = sha256(canonicalJson(req.body ?? null) ?? 'null');

    const existing = entries.get(id);
    if (existing && now() - existing.createdAt <= ttlMs) {
      if (existing.fingerprint !== fingerprint) {
        return sendApiError(
          res,
          422,
          'VALIDATION_FAILED',
          'This Idempotency-Key was already used for a different install request. Send a new key for a new request.',
        );
      }
      // Most recently used goes last, so eviction removes the oldest first.
      entries.delete(id);
      entries.set(id, existing);
      replays.add(req);
      void existing.result.then((first) => {
        if (res.headersSent) return;
        if (!first) {
          return sendApiError(
            res,
            409,
            'INSTALL_IN_PROGRESS',
            'The first request with this Idempotency-Key ended without an answer. Check the server page before trying again.',
          );
        }
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(first.status).json(first.body);
      });
      return;
    }

    const result = capture(res);
    entries.set(id, { fingerprint, createdAt: now(), result });
    evict();
    void result.then((first) => {
      // A rate-limit refusal did no work: let a later retry with the same key run for real.
      if (!first || first.status === 429) entries.delete(id);
    });
    next();
  };
}
