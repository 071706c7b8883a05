/**
 * `GET /api/audit`: pages of the audit log for operators, newest first, filtered by user, server,
 * event, outcome and time; `nextCursor`/`prevCursor` lead to the older and newer pages.
 */
import { Router } from 'express';
import type { AuditListResponse } from '@byoi/shared';
import { sendApiError } from '../apiError.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import { AuditQueryError, parseAuditQuery } from '../audit/auditQuery.ts';
import { requireRole } from '../middleware/requireRole.ts';

export function auditRouter({ audit }: { audit: AuditLog }): Router {
  const router = Router();
  router.get('/audit', requireRole('operator'), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    let body: AuditListResponse;
    try {
      body = await audit.page(parseAuditQuery(req.query));
    } catch (error) {
      if (!(error instanceof AuditQueryError)) throw error;
      return sendApiError(res, 400, 'VALIDATION_FAILED', error.message, {
        fieldErrors: { [error.parameter]: [error.message] },
      });
    }
    res.json(body);
  });
  return router;
}
