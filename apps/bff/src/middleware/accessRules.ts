/**
 * Who may call what, in one table, mounted after `requireSession`:
 * - a `:sn` outside the user's server patterns answers 404 (as if it did not exist);
 * - every state-changing request needs the `operator` role, so a new endpoint is closed by default;
 * - install takes an `Idempotency-Key` and, like preflight, is rate-limited per user.
 * Reads (lists, details, templates, progress) are open to every signed-in role; the audit page is
 * guarded by its own router.
 */
import { Router, type RequestHandler } from 'express';
import type { RateLimits } from './rateLimits.ts';
import { READ_METHODS } from './readMethods.ts';
import { requireRole, requireServerAccess } from './requireRole.ts';

export interface AccessRulesDeps {
  rateLimits: Pick<RateLimits, 'install' | 'preflight'>;
  idempotency: RequestHandler;
}

export function accessRules({ rateLimits, idempotency }: AccessRulesDeps): Router {
  const router = Router();
  const operator = requireRole('operator');
  router.use('/servers/:sn', requireServerAccess());
  router.use((req, res, next) =>
    READ_METHODS.has(req.method) ? next() : operator(req, res, next),
  );
  // The replay check comes before the limit: 20 replays of one install are one install.
  router.post('/servers/:sn/install', idempotency, rateLimits.install);
  router.post(['/servers/:sn/preflight', '/servers/:sn/preflight/verify'], rateLimits.preflight);
  return router;
}
