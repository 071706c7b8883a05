/**
 * `Idempotency-Key` on install: the first request with a key runs; every replay with the same key
 * (same user, same server) gets the first answer — replays that arrive while it runs wait for it —
 * and never starts a second install. Keys live in the store (`idempotency_keys`) for 24 hours, so
 * every replica sees them and a restart forgets none.
 *
 * The first request claims the key with one insert (or takes over a row past its 24 hours, or one
 * that answered 429) and holds a lease on it; its answer is stored before it is sent, so a client
 * that has an answer finds the same one on any replica. A replay polls the row until the answer is
 * there. If the lease runs out first (the replica running it died), the replay answers 409: nobody
 * can tell whether OVH got the install.
 */
import { createHash, randomBytes } from 'node:crypto';
import canonicalJson from 'safe-stable-stringify';
import type { Request, RequestHandler, Response } from 'express';
import { sendApiError } from '../apiError.ts';
import { STORE_DOWN, storeUnavailable } from '../store/storeUnavailable.ts';
import type { Store } from '../store/store.ts';
import { sessionUser } from './session.ts';

export interface IdempotencyOptions {
  store: Store;
  /** How long a key is remembered. */
  ttlMs?: number;
  /**
   * How long replays wait for a first request that has not answered: longer than any install
   * request runs (HTTP requests must arrive within 30 s; OVH calls time out sooner).
   */
  leaseMs?: number;
  /** How often a waiting replay looks at the row again. */
  pollMs?: number;
  now?: () => number;
}

const KEY_RULE = /^[\x21-\x7e]{1,255}$/;
const SWEEP_EVERY_MS = 10 * 60_000;
const replays = new WeakSet<Request>();

/** True when this request was answered from a stored first result. */
export function isIdempotentReplay(req: Request): boolean {
  return replays.has(req);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The row id of a key: one per user, server and key. */
export function idempotencyId(user: string, server: string, key: string): string {
  return sha256(`${user}\n${server}\n${key}`);
}

/** A 429 did no work: its row may be taken over, so that a later retry runs for real. */
const RETRYABLE_STATUS = 429;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createIdempotency(options: IdempotencyOptions): RequestHandler {
  const { store } = options;
  const { db } = store;
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 75;
  const now = options.now ?? Date.now;
  let lastSweep = 0;

  function sweepNowAndThen(t: number): void {
    if (t - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = t;
    db.deleteFrom('idempotency_keys')
      .where('created_at', '<=', new Date(t - ttlMs))
      .execute()
      .catch(() => {
        lastSweep = 0;
      });
  }

  /** The claim's owner token when this request now holds the key; null when another does. */
  async function claim(id: string, fingerprint: string): Promise<string | null> {
    const t = now();
    sweepNowAndThen(t);
    const owner = `${store.replicaId}/${randomBytes(6).toString('hex')}`;
    const fresh = {
      fingerprint,
      created_at: new Date(t),
      owner,
      lease_until: new Date(t + leaseMs),
      status: null,
      body: null,
    };
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ id, ...fresh })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet(fresh)
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.created_at', '<=', new Date(t - ttlMs)),
              eb('idempotency_keys.status', '=', RETRYABLE_STATUS),
            ]),
          ),
      )
      .returning('owner')
      .executeTakeFirst();
    return claimed ? owner : null;
  }

  const lookUp = (id: string) =>
    db
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'owner', 'lease_until', 'status', 'body'])
      .where('id', '=', id)
      .executeTakeFirst();

  /**
   * Runs the first request: its answer is stored before it is sent. A response that ends without
   * a JSON answer frees the key; a client that leaves early does not, since the route still runs
   * and its answer is stored when it comes (a retry waits for it rather than racing it).
   */
  function runFirst(req: Request, res: Response, id: string, owner: string): void {
    const mine = db.updateTable('idempotency_keys').where('id', '=', id).where('owner', '=', owner);
    let answered = false;
    const json = res.json.bind(res);
    res.json = ((body: unknown) => {
      answered = true;
      mine
        .set({ status: res.statusCode, body: JSON.stringify(body ?? null) })
        .execute()
        .catch((error: unknown) => {
          // The answer still goes out; replays of this key will wait out the lease, then 409.
          req.log?.error(
            { err: { message: error instanceof Error ? error.message : String(error) } },
            'could not store the answer of an idempotent request',
          );
        })
        .finally(() => json(body));
      return res;
    }) as Response['json'];
    res.once('close', () => {
      if (answered || !res.writableFinished) return;
      db.deleteFrom('idempotency_keys')
        .where('id', '=', id)
        .where('owner', '=', owner)
        .execute()
        .catch(() => undefined);
    });
  }

  /** Waits for the first request's answer and sends it; a 409 when it never comes. */
  async function replay(
    req: Request,
    res: Response,
    id: string,
    owner: string,
    first: NonNullable<Awaited<ReturnType<typeof lookUp>>>,
  ): Promise<void> {
    replays.add(req);
    let gone = false;
    res.once('close', () => {
      gone = true; // the client gave up waiting
    });
    let row: Awaited<ReturnType<typeof lookUp>> = first;
    // Bounded by count as well as by the lease, so a stopped test clock cannot wait forever.
    for (let polls = Math.ceil(leaseMs / pollMs); ; polls -= 1) {
      if (gone) return;
      if (row?.owner !== owner) break; // the first ended without an answer and let the key go
      if (row.status !== null) {
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(row.status).json(row.body);
        return;
      }
      if (row.lease_until.getTime() <= now() || polls <= 0) break;
      await sleep(pollMs);
      row = await lookUp(id);
    }
    sendApiError(
      res,
      409,
      'INSTALL_IN_PROGRESS',
      'The first request with this Idempotency-Key ended without an answer. Check the server page before trying again.',
    );
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
    const id = idempotencyId(user, server, key);
    // Canonical JSON (keys sorted at every level): the same request in another key order is the
    // same request.
    const fingerprint = sha256(canonicalJson(req.body ?? null) ?? 'null');

    let ran = false;
    void (async () => {
      // Twice at most: the row seen taken may be gone by the time it is read (its first request
      // ended without an answer), and then the key is free again.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const owner = await claim(id, fingerprint);
        if (owner !== null) {
          runFirst(req, res, id, owner);
          ran = true;
          return next();
        }
        const existing = await lookUp(id);
        if (!existing) continue;
        if (existing.fingerprint !== fingerprint) {
          return sendApiError(
            res,
            422,
            'VALIDATION_FAILED',
            'This Idempotency-Key was already used for a different install request. Send a new key for a new request.',
          );
        }
        return replay(req, res, id, existing.owner, existing);
      }
      throw new Error('the Idempotency-Key row kept changing');
    })().catch((error: unknown) => {
      if (ran || res.headersSent) return;
      next(
        storeUnavailable(
          req,
          error,
          `This install request could not be checked against earlier ones with its Idempotency-Key: ${STORE_DOWN}`,
        ),
      );
    });
  };
}
