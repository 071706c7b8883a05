/**
 * Per-replica rate limits (express-rate-limit's memory store): failed sign-ins per account and per
 * address (a lockout for the rest of the window), installs and preflights per signed-in user, and
 * any request without a session per address.
 * Every refusal is a 429 in the API's error envelope with a `Retry-After` header.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { sendApiError } from '../apiError.ts';
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

export function createRateLimits(settings: RateLimitSettings = DEFAULT_RATE_LIMITS): RateLimits {
  const signInWindowMs = settings.signInWindowMinutes * 60_000;
  const common = { standardHeaders: 'draft-7', legacyHeaders: false } as const;

  const signInPerIp = rateLimit({
    ...common,
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

  const perUser = (limit: number, what: string) =>
    rateLimit({
      ...common,
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
    signInPerIp,
    signInPerUser,
    install: perUser(settings.installsPerMinute, 'installs'),
    preflight: perUser(settings.preflightsPerMinute, 'image checks'),
    anonymous: rateLimit({
      ...common,
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
