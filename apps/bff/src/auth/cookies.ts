/**
 * Cookie plumbing shared by the session and CSRF guards: reading the `Cookie` header and choosing
 * attributes. `Secure` everywhere except plain-HTTP localhost, where browsers and test agents would
 * otherwise drop the cookie during development.
 */
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'byoi_session';
export const CSRF_COOKIE = 'byoi_csrf';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLocalRequest(req: Request): boolean {
  // Express's hostname is undefined without a Host header (an HTTP/1.0 request may omit it).
  const host = (req.hostname as string | undefined)?.toLowerCase() ?? '';
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost');
}

export function useSecureCookies(req: Request): boolean {
  return req.secure || !isLocalRequest(req);
}

/** The named cookie's value; undefined when absent or malformed. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Drops any `Set-Cookie` already queued for `name`, so a response never carries two versions. */
function forgetQueuedCookie(res: Response, name: string): void {
  const queued = res.getHeader('Set-Cookie');
  if (queued === undefined) return;
  const list = Array.isArray(queued) ? queued : [String(queued)];
  const kept = list.filter((c) => !c.startsWith(`${name}=`));
  if (kept.length === 0) res.removeHeader('Set-Cookie');
  else res.setHeader('Set-Cookie', kept);
}

export interface CookieSpec {
  httpOnly: boolean;
  maxAgeMs: number;
}

export function setCookie(
  req: Request,
  res: Response,
  name: string,
  value: string,
  spec: CookieSpec,
): void {
  forgetQueuedCookie(res, name);
  res.cookie(name, value, {
    httpOnly: spec.httpOnly,
    secure: useSecureCookies(req),
    sameSite: 'strict',
    path: '/',
    maxAge: spec.maxAgeMs,
  });
}

export function clearCookie(req: Request, res: Response, name: string, httpOnly: boolean): void {
  forgetQueuedCookie(res, name);
  res.clearCookie(name, { httpOnly, secure: useSecureCookies(req), sameSite: 'strict', path: '/' });
}
