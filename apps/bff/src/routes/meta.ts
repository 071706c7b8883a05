/** `GET /api/meta`: what the UI shows about the deployment. Never a key. */
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import type { MetaResponse } from '@byoi/shared';
import type { Config } from '../config.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export function metaOf(config: Config): MetaResponse {
  return {
    mode: config.mode,
    endpoint: config.ovh?.endpoint ?? 'simulator',
    installRoute: config.installRoute,
    version,
  };
}

export function metaRouter({ config }: { config: Config }): Router {
  const router = Router();
  const meta = metaOf(config);
  router.get('/meta', (_req, res) => {
    res.json(meta);
  });
  return router;
}
