/**
 * CSRF guard for every state-changing request: the `Origin` header must be the console's own origin
 * (as seen through a trusted proxy when TRUST_PROXY is set), and — for signed-in requests — the
 * double-submit token must match three ways: `X-CSRF-Token` header = `byoi_csrf` cookie = the token
 * sealed in the session. Sign-in needs no token (it replaces any session) and may come without an
 * Origin (scripts, `curl`); but a browser always sends Origin on a cross-site POST, so refusing a
 * foreign Origin (with SameSite=Strict cookies) is what stops login CSRF. Requests without a
 * session are refused by `requireSession`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { sendApiError } from '../apiError.ts';
import { CSRF_COOKIE, readCookie } from '../auth/cookies.ts';
import { READ_METHODS } from './readMethods.ts';
import { sessionCsrfToken } from './session.ts';

/** `scheme://host[:port]` of this request, honouring X-Forwarded-* only when trust proxy is on. */
export function ownOrigin(req: Request): string {
  // Express 5's req.host keeps the port and follows X-Forwarded-Host under trust proxy.
  return `${req.protocol}://${req.host}`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isSignIn(req: Request): boolean {
  return req.method === 'POST' && req.originalUrl.split('?')[0] === '/api/session';
}

export const csrfProtection: RequestHandler = (req, res, next) => {
  if (READ_METHODS.has(req.method)) return next();
  const origin = req.get('origin');
  const expected = ownOrigin(req);
  if (!origin && isSignIn(req)) return next();
  if (!origin) {
    return sendApiError(
      res,
      403,
      'CSRF_FAILED',
      'This request has no Origin header, so the console cannot tell that it came from its own page. ' +
        `Use the console in a browser, or send "Origin: ${expected}" from scripts.`,
    );
  }
  if (origin.toLowerCase() !== expected.toLowerCase()) {
    return sendApiError(
      res,
      403,
      'CSRF_FAILED',
      `This request came from another site (${origin.slice(0, 200)}). The console only accepts changes ` +
        `from its own pages at ${expected}.`,
    );
  }
  const sealed = sessionCsrfToken(req);
  // Signing in (again) replaces the session, so it needs no token from the one it replaces.
  if (sealed === undefined || isSignIn(req)) return next();
  const header = req.get('x-csrf-token');
  const cookie = readCookie(req, CSRF_COOKIE);
  if (!header || !cookie || !sameToken(header, cookie) || !sameToken(header, sealed)) {
    return sendApiError(
      res,
      403,
      'CSRF_FAILED',
      'The security token of this request is missing or does not match your session. Reload the page and try again.',
    );
  }
  next();
};
