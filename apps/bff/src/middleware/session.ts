/**
 * Operator sessions: the whole session lives in an encrypted, signed cookie sealed with iron-session
 * (`SESSION_SECRET`), so any number of BFF replicas serve the same users. Idle and absolute expiry
 * are enforced here, from timestamps inside the seal; `lastSeen` is refreshed at most once a minute
 * to keep cookie churn low. A session ends when its user is removed from the directory or their
 * role, servers or password change, and on sign-out: the seal carries the user's epoch, checked on
 * every request against the store's (store/sessionEpochs.ts), so every copy of the cookie stops
 * working on every replica, also after a restart. Reads check it against the epoch cache (exact on
 * PGlite, told of other replicas' bumps on PostgreSQL); changes always against the store itself.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sealData, unsealData } from 'iron-session';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { sendApiError } from '../apiError.ts';
import {
  clearCookie,
  CSRF_COOKIE,
  readCookie,
  SESSION_COOKIE,
  setCookie,
} from '../auth/cookies.ts';
import { ROLES, type ConsoleUser, type UserDirectory } from '../auth/users.ts';
import { bumpEpoch, EpochCache, syncDirectory } from '../store/sessionEpochs.ts';
import type { Store } from '../store/store.ts';
import { STORE_DOWN, storeUnavailable } from '../store/storeUnavailable.ts';
import { READ_METHODS } from './readMethods.ts';

export interface SessionSettings {
  /** ≥ 32 characters (iron-session's minimum). */
  secret: string;
  idleMinutes: number;
  maxHours: number;
  /** Injectable clock for expiry tests. */
  now?: () => number;
}

const sessionDataSchema = z.object({
  user: z.string(),
  role: z.enum(ROLES),
  servers: z.array(z.string()),
  issuedAt: z.number(),
  lastSeen: z.number(),
  csrf: z.string().min(32),
  cred: z.string(),
  /** The user's epoch at sign-in; a seal without one (made before epochs) no longer opens. */
  epoch: z.number().int().nonnegative(),
});
type SessionData = z.infer<typeof sessionDataSchema>;

export type SessionEnd = 'expired' | 'ended';

interface RequestSession {
  user: ConsoleUser;
  csrf: string;
}

// Per-request state without augmenting Express's global types.
const sessions = new WeakMap<Request, RequestSession>();
const endings = new WeakMap<Request, SessionEnd>();

/** The signed-in user of this request, if any. */
export function sessionUser(req: Request): ConsoleUser | undefined {
  return sessions.get(req)?.user;
}

/** The CSRF token sealed in this request's session. */
export function sessionCsrfToken(req: Request): string | undefined {
  return sessions.get(req)?.csrf;
}

const REFRESH_EVERY_MS = 60_000;

export interface Sessions {
  /** Reads the cookie on every request; never refuses by itself (see `requireSession`). */
  load: RequestHandler;
  /** Starts a fresh session (a new seal and a new CSRF token: rotation on sign-in). */
  signIn: (req: Request, res: Response, user: ConsoleUser) => Promise<void>;
  /** Ends this user's sessions everywhere (a new epoch), and clears this browser's cookies. */
  signOut: (req: Request, res: Response) => Promise<void>;
  /**
   * Settles once the directory's users have been compared with the store (`syncDirectory`), which
   * starts at once; requests that carry or make a session wait for it, and a failure is retried
   * by the next one.
   */
  ready: () => Promise<void>;
}

export function createSessions(
  settings: SessionSettings,
  directory: UserDirectory,
  store: Store,
): Sessions {
  if (settings.secret.length < 32)
    throw new Error('The session secret must be at least 32 characters.');
  const now = settings.now ?? Date.now;
  const idleMs = settings.idleMinutes * 60_000;
  const maxAgeMs = settings.maxHours * 3_600_000;
  // iron's own TTL backs up ours: a seal older than the absolute lifetime never opens.
  const ironOptions = { password: settings.secret, ttl: Math.ceil(maxAgeMs / 1000) + 60 };

  const epochs = new EpochCache(store);

  let synced: Promise<void> | null = null;
  function ready(): Promise<void> {
    synced ??= syncDirectory(store, directory, new Date(now())).then(
      () => undefined,
      (error: unknown) => {
        synced = null;
        throw error;
      },
    );
    return synced;
  }
  // Started now, so that the first request rarely waits; a failure here is retried on demand.
  ready().catch(() => undefined);

  function setSessionCookie(req: Request, res: Response, seal: string, data: SessionData): void {
    const remaining = Math.max(0, data.issuedAt + maxAgeMs - now());
    setCookie(req, res, SESSION_COOKIE, seal, { httpOnly: true, maxAgeMs: remaining });
  }

  async function writeSession(req: Request, res: Response, data: SessionData): Promise<void> {
    setSessionCookie(req, res, await sealData(data, ironOptions), data);
  }

  function clearSessionCookies(req: Request, res: Response): void {
    clearCookie(req, res, SESSION_COOKIE, true);
    clearCookie(req, res, CSRF_COOKIE, false);
  }

  // Unsealing (two PBKDF2 derivations, AES and HMAC through WebCrypto's thread pool) cost more
  // than the rest of a warm request. A seal is authenticated and immutable, so the same string
  // always opens to the same data, and expiry is judged from that data on every request: only
  // good seals are remembered, a bounded number of them.
  const opened = new LRUCache<string, SessionData>({ max: 10_000 });

  // Once lastSeen is due for a refresh, every request still carrying the old seal would be sealed
  // anew (PBKDF2 again): the parallel fetches of a page, or a script without a cookie jar, which
  // then pays ~1 ms of crypto per request for as long as it keeps the old cookie. The refreshed
  // seal is handed out again instead, until it is itself due.
  interface Refreshed {
    seal: string;
    data: SessionData;
  }
  const refreshedFrom = new LRUCache<string, Promise<Refreshed>>({ max: 10_000 });

  async function refresh(req: Request, res: Response, oldSeal: string, data: SessionData) {
    const t = now();
    const pending = refreshedFrom.get(oldSeal);
    const known = pending ? await pending.catch(() => null) : null;
    if (known && t - known.data.lastSeen < REFRESH_EVERY_MS) {
      setSessionCookie(req, res, known.seal, known.data);
      return;
    }
    const fresh = { ...data, lastSeen: t };
    // Stored before it settles, so that requests arriving meanwhile share this one sealing.
    const sealing = sealData(fresh, ironOptions).then((seal) => ({ seal, data: fresh }));
    refreshedFrom.set(oldSeal, sealing);
    const { seal } = await sealing;
    opened.set(seal, fresh);
    setSessionCookie(req, res, seal, fresh);
  }

  async function open(seal: string): Promise<SessionData | null> {
    const known = opened.get(seal);
    if (known) return known;
    try {
      const parsed = sessionDataSchema.safeParse(await unsealData<unknown>(seal, ironOptions));
      if (!parsed.success) return null;
      opened.set(seal, parsed.data);
      return parsed.data;
    } catch {
      return null; // a tampered or truncated cookie is simply no session
    }
  }

  /**
   * The user's epoch now: from the cache for a read, from the store for anything that changes
   * something (sign-out on another replica is refused at once). The store not answering is a 503,
   * never a session let through.
   */
  async function epochOf(req: Request, username: string, doing: string): Promise<number> {
    try {
      await ready();
      return await epochs.current(username, { fresh: !READ_METHODS.has(req.method) });
    } catch (error) {
      throw storeUnavailable(req, error, `${doing}: ${STORE_DOWN}`);
    }
  }

  const load: RequestHandler = (req, res, next: NextFunction) => {
    const seal = readCookie(req, SESSION_COOKIE);
    if (!seal) return next();
    void (async () => {
      const data = await open(seal);
      const t = now();
      if (!data) {
        endings.set(req, 'ended');
        clearSessionCookies(req, res);
        return;
      }
      if (t - data.issuedAt > maxAgeMs || t - data.lastSeen > idleMs) {
        endings.set(req, 'expired');
        clearSessionCookies(req, res);
        return;
      }
      const user = directory.find(data.user);
      if (
        !user ||
        user.role !== data.role ||
        user.credentialId !== data.cred ||
        user.servers.join('\n') !== data.servers.join('\n')
      ) {
        endings.set(req, 'ended');
        clearSessionCookies(req, res);
        return;
      }
      // Any other epoch than the current one is over: an older one was signed out or changed, and
      // a newer one than the store knows comes from a store that was reset or replaced.
      if ((await epochOf(req, data.user, 'Your session cannot be checked')) !== data.epoch) {
        endings.set(req, 'ended');
        clearSessionCookies(req, res);
        return;
      }
      sessions.set(req, { user, csrf: data.csrf });
      if (t - data.lastSeen >= REFRESH_EVERY_MS) await refresh(req, res, seal, data);
    })().then(() => next(), next);
  };

  async function signIn(req: Request, res: Response, user: ConsoleUser): Promise<void> {
    const epoch = await epochOf(req, user.username, 'You cannot sign in right now');
    const t = now();
    const csrf = randomBytes(32).toString('base64url');
    await writeSession(req, res, {
      user: user.username,
      role: user.role,
      servers: user.servers,
      issuedAt: t,
      lastSeen: t,
      csrf,
      cred: user.credentialId,
      epoch,
    });
    // Readable by the SPA, which echoes it in X-CSRF-Token (double submit).
    setCookie(req, res, CSRF_COOKIE, csrf, { httpOnly: false, maxAgeMs: maxAgeMs });
    sessions.set(req, { user, csrf });
  }

  async function signOut(req: Request, res: Response): Promise<void> {
    const user = sessionUser(req);
    sessions.delete(req);
    // This browser is signed out whatever the store says; the other copies of the cookie only
    // once the new epoch is stored.
    clearSessionCookies(req, res);
    if (!user) return;
    try {
      await bumpEpoch(store, user.username, new Date(now()));
    } catch (error) {
      throw storeUnavailable(
        req,
        error,
        'You are signed out in this browser, but the console could not reach its database to end the other copies of your session. If you fear someone else has one, tell the administrator.',
      );
    }
  }

  return { load, signIn, signOut, ready };
}

/** 401 unless the request carries a live session. */
export const requireSession: RequestHandler = (req, res, next) => {
  if (sessionUser(req)) return next();
  const ending = endings.get(req);
  sendApiError(
    res,
    401,
    'UNAUTHENTICATED',
    ending === 'expired'
      ? 'Your session has expired. Sign in again to continue.'
      : ending === 'ended'
        ? 'Your session has ended (you were signed out or your access changed). Sign in again to continue.'
        : 'Sign in to use the console.',
  );
};
