/**
 * Browser-side hardening with helmet: a strict Content Security Policy (scripts only from the
 * console's own origin, never inline; no framing; no plugins; no <base> rewriting) and HSTS whenever
 * the console is not served from localhost. Inline *styles* stay allowed: the design system's
 * components position popovers through style attributes, which carry no script.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { isLocalRequest } from '../auth/cookies.ts';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

function build(hsts: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  }) as RequestHandler;
}

export function securityHeaders(): RequestHandler {
  const remote = build(true);
  const local = build(false);
  return (req, res, next) => (isLocalRequest(req) ? local : remote)(req, res, next);
}
