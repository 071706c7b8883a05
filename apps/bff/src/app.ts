/**
 * Builds the Express app (no listening: tests drive it with supertest). Middleware order follows
 * STYLE.md: trust proxy → helmet → compression → request logger → [rate limits → session → CSRF,
 * added by the sign-in issue] → routers → 404 → one error handler.
 */
import compression from 'compression';
import express, { Router, type Express } from 'express';
import type { Config } from './config.ts';
import { InstallTracker } from './install/installTracker.ts';
import type { Logger } from './logger.ts';
import { apiNotFound, errorHandler } from './middleware/errorHandler.ts';
import { jsonBody, jsonBodyErrors } from './middleware/jsonBody.ts';
import { requestLogger } from './middleware/requestLogger.ts';
import { securityHeaders } from './middleware/security.ts';
import { webApp } from './middleware/webApp.ts';
import type { OvhApi } from './ovh/api.ts';
import { healthRouter } from './routes/health.ts';
import { installRouter } from './routes/install.ts';
import { metaRouter } from './routes/meta.ts';
import { serversRouter } from './routes/servers.ts';

export interface AppDeps {
  config: Config;
  ovh: OvhApi;
  logger: Logger;
  /** Shared with anything else that needs to know about running installs; one is made if absent. */
  tracker?: InstallTracker;
  /** Extra `/api` routers (e.g. preflight), mounted after the built-in ones. */
  apiRouters?: Router[];
}

export function createApp(deps: AppDeps): Express {
  const { config, ovh, logger } = deps;
  const tracker = deps.tracker ?? new InstallTracker((sn) => ovh.invalidateServer(sn));

  const app = express();
  app.disable('x-powered-by');
  // Behind one local reverse proxy at most; widen when deploying behind more hops.
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.use(compression());
  app.use(requestLogger(logger));
  // Rate limits, session and CSRF middleware slot in here.

  const api = Router();
  api.use(jsonBody(), jsonBodyErrors);
  api.use(healthRouter({ ovh }));
  api.use(metaRouter({ config }));
  api.use('/servers', serversRouter({ ovh, tracker }));
  api.use('/servers', installRouter({ ovh, tracker, installRoute: config.installRoute }));
  for (const router of deps.apiRouters ?? []) api.use(router);
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(webApp(config.webDistDir));
  app.use(errorHandler);
  return app;
}
