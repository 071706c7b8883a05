/**
 * Role and server-scope guards. `viewer` reads; `operator` may also preflight, install and cancel.
 * A server outside the user's name patterns answers 404 exactly like a server that does not exist,
 * so the console never reveals which servers the account holds.
 */
import type { Request, RequestHandler } from 'express';
import type { ConsoleRole } from '@byoi/shared';
import { sendApiError } from '../apiError.ts';
import { serverNotFound } from '../servers/requireServer.ts';
import { sessionUser } from './session.ts';

const scopeRefusals = new WeakSet<Request>();

/** True when this request's 404 hid a server outside the user's patterns (for the audit log). */
export function wasRefusedForScope(req: Request): boolean {
  return scopeRefusals.has(req);
}

/** Marks a 404 that hides something on a server outside the user's patterns (audited as a refusal). */
export function markScopeRefusal(req: Request): void {
  scopeRefusals.add(req);
}

const RANK: Record<ConsoleRole, number> = { viewer: 0, operator: 1 };

const WHAT_NEEDS: Record<ConsoleRole, string> = {
  viewer: 'use the console',
  operator: 'check images, install or cancel installs',
};

export function requireRole(role: ConsoleRole): RequestHandler {
  return (req, res, next) => {
    const user = sessionUser(req);
    if (!user) {
      return sendApiError(res, 401, 'UNAUTHENTICATED', 'Sign in to use the console.');
    }
    if (RANK[user.role] >= RANK[role]) return next();
    sendApiError(
      res,
      403,
      'FORBIDDEN',
      `Your role (${user.role}) can read servers and progress but cannot ${WHAT_NEEDS[role]}. ` +
        `Ask an administrator for the ${role} role.`,
    );
  };
}

/** Guards routes with a `:sn` parameter; mount as `app.use('/api/servers/:sn', requireServerAccess())`. */
export function requireServerAccess(param = 'sn'): RequestHandler {
  return (req, res, next) => {
    const user = sessionUser(req);
    if (!user) {
      return sendApiError(res, 401, 'UNAUTHENTICATED', 'Sign in to use the console.');
    }
    const params = req.params as Record<string, string | undefined>;
    const name = params[param];
    if (name === undefined || user.canAccessServer(name)) return next();
    markScopeRefusal(req);
    const hidden = serverNotFound(name);
    sendApiError(res, hidden.status, hidden.code, hidden.message);
  };
}
