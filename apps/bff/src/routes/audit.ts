/** `GET /api/audit?limit=`: the newest audit entries, for operators. */
import { Router } from 'express';
import { z } from 'zod';
import type { AuditListResponse } from '@byoi/shared';
import { sendApiError } from '../apiError.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import { requireRole } from '../middleware/requireRole.ts';

export const MAX_AUDIT_ENTRIES = 1000;

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_ENTRIES).default(100),
});

export function auditRouter({ audit }: { audit: AuditLog }): Router {
  const router = Router();
  router.get('/audit', requireRole('operator'), async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      return sendApiError(
        res,
        400,
        'VALIDATION_FAILED',
        `limit must be a whole number from 1 to ${MAX_AUDIT_ENTRIES}, e.g. /api/audit?limit=100.`,
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    const body: AuditListResponse = { entries: await audit.recent(parsed.data.limit) };
    res.json(body);
  });
  return router;
}
