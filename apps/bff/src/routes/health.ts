/** Liveness (no upstream call) and readiness (OVH answers `GET /auth/time`). */
import { Router } from 'express';
import { ApiError } from '../apiError.ts';
import type { OvhApi } from '../ovh/api.ts';
import { normaliseOvhError } from '../ovh/errors.ts';

export function healthRouter({ ovh }: { ovh: OvhApi }): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    try {
      await ovh.getTime();
    } catch (raw) {
      const error = normaliseOvhError(raw);
      throw new ApiError(
        503,
        'UPSTREAM_UNAVAILABLE',
        `Not ready: OVH API unreachable (GET /auth/time failed: ${error.message})`,
      );
    }
    res.json({ status: 'ready' });
  });

  return router;
}
