/**
 * Rate limits counted in the store (store/rateLimitStore.ts), so every replica counts the same hits
 * and a restart forgets none: failed sign-ins per account and per address (a lockout for the rest
 * of the window), installs and preflights per signed-in user, and any request without a session per
 * address. Every refusal is a 429 in the API's error envelope with a `Retry-After` header.
 *
 * When the store does not answer, the sign-in limits fail closed (a 503 that says so): counting
 * failed sign-ins is what stops password guessing, and a database an attacker can slow down must
 * not lift it. The other limits let the request through (and log it): they guard cost, not access,
 * and the install itself is held back by what else it needs from the store.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { sendApiError } from '../apiError.ts';
import type { Logger } from '../logger.ts';
import { SharedRateLimitStore } from '../store/rateLimitStore.ts';
import type { Store } from '../store/store.ts';
import { STORE_DOWN, storeUnavailable } from '../store/storeUnavailable.ts';
import { sessionUser } from './session.ts';

export interface RateLimitSettings {
  /** Failed sign-ins for one username within the window before it is locked. */
  signInFailuresPerUser: number;
  /** Failed sign-ins from one address within the window before it is locked. */
  signInFailuresPerIp: number;
  signInWindowMinutes: number;
  installsPerMinute: number;
  preflightsPerMinute: number;
  /** Requests without a session (sign-in page, health, static files' API calls) per address. */
  anonymousPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  signInFailuresPerUser: 5,
  signInFailuresPerIp: 20,
  signInWindowMinutes: 15,
  installsPerMinute: 10,
  preflightsPerMinute: 20,
  anonymousPerMinute: 300,
};

export interface RateLimits {
  signInPerIp: RequestHandler;
  signInPerUser: RequestHandler;
  install: RequestHandler;
  preflight: RequestHandler;
  /** Every API request without a session, per client address. */
  anonymous: RequestHandler;
}

function resetTime(req: Request): Date | undefined {
  return (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
}

function waitPhrase(req: Request, windowMs: number, unit: 'minutes' | 'seconds'): string {
  const reset = resetTime(req);
  const ms = Math.max(1000, reset ? reset.getTime() - Date.now() : windowMs);
  const n = unit === 'minutes' ? Math.ceil(ms / 60_000) : Math.ceil(ms / 1000);
  const word = unit === 'minutes' ? 'minute' : 'second';
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

function signInUsername(req: Request): string {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && 'username' in body) {
    const name = body.username;
    if (typeof name === 'string') return name.trim().toLowerCase().slice(0, 128);
  }
  return '';
}

/** A sign-in limiter whose store failed answers 503 instead of Express's bare 500. */
function failClosed(limiter: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    limiter(req, res, (error?: unknown) => {
      if (error === undefined || error === 'route' || error === 'router') return next(error);
      next(storeUnavailable(req, error, `Signing in is unavailable: ${STORE_DOWN}`));
    });
}

export interface RateLimitOptions {
  /** Where a limit that lets a request through on a store failure says so. */
  logger?: Pick<Logger, 'error' | 'warn'>;
}

export function createRateLimits(
  settings: RateLimitSettings,
  store: Store,
  options: RateLimitOptions = {},
): RateLimits {
  const signInWindowMs = settings.signInWindowMinutes * 60_000;
  const { logger } = options;
  const common = {
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(logger
      ? {
          logger: {
            error: (error: unknown, message?: string) =>
              logger.error({ err: { message: String(error) } }, message ?? 'rate limit error'),
            warn: (error: unknown, message?: string) =>
              logger.warn({ err: { message: String(error) } }, message ?? 'rate limit warning'),
          },
        }
      : {}),
  } as const;
  const counted = (prefix: string, passOnStoreError: boolean) => ({
    store: new SharedRateLimitStore(store, { prefix }),
    passOnStoreError,
  });

  const signInPerIp = rateLimit({
    ...common,
    ...counted('sign-in-ip:', false),
    windowMs: signInWindowMs,
    limit: settings.signInFailuresPerIp,
    skipSuccessfulRequests: true,
    keyGenerator: clientAddress,
    handler: (req, res) =>
      sendApiError(
        res,
        429,
        'RATE_LIMITED',
        `Too many failed sign-ins from your network address. Try again in ${waitPhrase(req, signInWindowMs, 'minutes')}.`,
      ),
  });

  const signInPerUser = rateLimit({
    ...common,
    ...counted('sign-in-user:', false),
    windowMs: signInWindowMs,
    limit: settings.signInFailuresPerUser,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `user:${signInUsername(req)}`,
    handler: (req, res) =>
      sendApiError(
        res,
        429,
        'RATE_LIMITED',
        `Too many failed sign-ins for this account. Try again in ${waitPhrase(req, signInWindowMs, 'minutes')}.`,
      ),
  });

  const perUser = (prefix: string, limit: number, what: string) =>
    rateLimit({
      ...common,
      ...counted(prefix, true),
      windowMs: 60_000,
      limit,
      keyGenerator: (req) => {
        const user = sessionUser(req);
        return user ? `user:${user.username.toLowerCase()}` : `ip:${clientAddress(req)}`;
      },
      handler: (req, res) =>
        sendApiError(
          res,
          429,
          'RATE_LIMITED',
          `You started too many ${what} in a short time (at most ${limit} a minute). ` +
            `Try again in ${waitPhrase(req, 60_000, 'seconds')}.`,
        ),
    });

  return {
    signInPerIp: failClosed(signInPerIp),
    signInPerUser: failClosed(signInPerUser),
    install: perUser('install:', settings.installsPerMinute, 'installs'),
    preflight: perUser('preflight:', settings.preflightsPerMinute, 'image checks'),
    anonymous: rateLimit({
      ...common,
      ...counted('anonymous:', true),
      windowMs: 60_000,
      limit: settings.anonymousPerMinute,
      // Signed-in users have their own limits on what costs (installs, image checks).
      skip: (req) => sessionUser(req) !== undefined,
      keyGenerator: (req) => `anon:${clientAddress(req)}`,
      handler: (req, res) =>
        sendApiError(
          res,
          429,
          'RATE_LIMITED',
          `Too many requests without a session from your network address (at most ${settings.anonymousPerMinute} a minute). Sign in, or try again in ${waitPhrase(req, 60_000, 'seconds')}.`,
        ),
    }),
  };
}
