/**
 * Builds the Express app (no listening: tests drive it with supertest). Middleware order follows
 * STYLE.md: trust proxy → helmet → compression → request logger → rate limits → session → CSRF →
 * routers → 404 → one error handler. The audit trail watches every `/api` response from the start,
 * so refusals by any later guard are recorded too.
 */
import compression from 'compression';
import express, { Router, type Express } from 'express';
import { AuditLog } from './audit/auditLog.ts';
import { startAuditRetention } from './audit/auditRetention.ts';
import { auditTrail } from './audit/auditTrail.ts';
import type { UserDirectory } from './auth/users.ts';
import type { Config } from './config.ts';
import { InstallOutcomes } from './install/installOutcomes.ts';
import { InstallTracker } from './install/installTracker.ts';
import { KnownInstalls } from './install/knownInstalls.ts';
import { InstallLocks } from './store/installLocks.ts';
import { InstallRecords } from './store/installRecords.ts';
import type { Logger } from './logger.ts';
import { accessRules } from './middleware/accessRules.ts';
import { csrfProtection } from './middleware/csrf.ts';
import { apiNotFound, errorHandler } from './middleware/errorHandler.ts';
import { createIdempotency } from './middleware/idempotency.ts';
import { jsonBody, jsonBodyErrors } from './middleware/jsonBody.ts';
import { validServerName, wellFormedRequest } from './middleware/wellFormed.ts';
import {
  createRateLimits,
  DEFAULT_RATE_LIMITS,
  type RateLimitSettings,
} from './middleware/rateLimits.ts';
import { requestLogger } from './middleware/requestLogger.ts';
import { securityHeaders } from './middleware/securityHeaders.ts';
import { createSessions, requireSession, sessionUser } from './middleware/session.ts';
import { webApp } from './middleware/webApp.ts';
import type { OvhApi } from './ovh/api.ts';
import type { Store } from './store/store.ts';
import { auditRouter } from './routes/audit.ts';
import { healthRouter } from './routes/health.ts';
import { imagesRouter } from './routes/images.ts';
import { provideImageLibrary } from './routes/libraryImageRef.ts';
import { createImageLibrary } from './store/imageLibrary.ts';
import { installRouter } from './routes/install.ts';
import { installsRouter } from './routes/installs.ts';
import { metaRouter } from './routes/meta.ts';
import { preflightRouter } from './routes/preflight.ts';
import { serversRouter } from './routes/servers.ts';
import { sessionRouter } from './routes/session.ts';
import { createWebhooks } from './webhooks/index.ts';
import { createPreflightFetch } from './preflight/preflightFetch.ts';
import { RolloutDriver } from './rollouts/driver.ts';
import { probeFleetImage } from './rollouts/fleetProbe.ts';
import { rolloutsRouter } from './routes/rollouts.ts';
import { Rollouts } from './store/rollouts.ts';

export interface AppDeps {
  config: Config;
  ovh: OvhApi;
  logger: Logger;
  /** Everything that outlives this process or is shared with other replicas (store/store.ts). */
  store: Store;
  /** The console's users (see `UserDirectory.load`). */
  directory: UserDirectory;
  /** Shared with anything else that needs to know about running installs; one is made if absent. */
  tracker?: InstallTracker;
  /** Written to `store` when absent. */
  audit?: AuditLog;
  rateLimits?: RateLimitSettings;
  /** The sessions' clock (expiry tests). */
  now?: () => number;
  /** Stops the app's background work (the install watch, the open refusal counts) when aborted. */
  shutdown?: AbortSignal;
}

/**
 * The console's Express app, with `stopWork`: it stops the background work (rollout rounds, the
 * install watch, webhook deliveries, pending audit entries) and resolves once that is over, as an
 * aborted `shutdown` does. Close the store only then: a query cut by the store's close never
 * answers (PGlite spins on it).
 */
export type ConsoleApp = Express & { stopWork(): Promise<void> };

export function createApp(deps: AppDeps): ConsoleApp {
  const { config, ovh, logger, directory, store } = deps;
  const tracker = deps.tracker ?? new InstallTracker((sn) => ovh.invalidateServer(sn));
  const known = new KnownInstalls();
  const audit = deps.audit ?? new AuditLog(store, logger);
  const library = createImageLibrary({ store, config, logger });
  // The webhooks' routes, and the outbox worker that delivers what the console emits.
  const webhooks = createWebhooks({
    store,
    config,
    logger,
    audit,
    ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
  });
  const retentionStopped = startAuditRetention({
    store,
    days: config.auditRetentionDays,
    logger,
    ...(deps.shutdown ? { signal: deps.shutdown } : {}),
  });
  // Kept as long as the server page's OVH answers it is combined with.
  const records = new InstallRecords(store.db, { runningTtlMs: config.serverCacheTtlMs });
  const locks = new InstallLocks(store);
  // Watches the running installs in the store: this replica's, and any a stopped one left.
  const outcomes = new InstallOutcomes({
    ovh,
    audit,
    records,
    owner: store.replicaId,
    logger,
    intervalMs: config.installWatchIntervalMs,
    onEnded: (sn, state) => tracker.observe(sn, state),
    notifier: webhooks.notifier,
  });
  outcomes.start();
  // Rollouts: any replica may drive any of them (a lease per rollout, in the store).
  const rollouts = new Rollouts(store.db, { notifier: webhooks.notifier });
  const fleetFetch = createPreflightFetch(config);
  const driver = new RolloutDriver({
    rollouts,
    submit: { ovh, tracker, records, locks, outcomes, logger },
    secrets: library.secrets,
    library,
    probe: (input, signal) => probeFleetImage(input, { fetch: fleetFetch, signal }),
    owner: store.replicaId,
    logger,
    tickMs: config.rolloutTickMs,
    leaseMs: config.rolloutLeaseMs,
  });
  driver.start();
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= Promise.all([
      driver.close(),
      outcomes.close(),
      webhooks.close(),
      retentionStopped(),
    ])
      // The rollout driver's last writes are audited; the entries are written after them.
      .then(() => audit.close())
      .catch(() => undefined));
  deps.shutdown?.addEventListener('abort', () => void stop(), { once: true });
  const limits = createRateLimits(deps.rateLimits ?? DEFAULT_RATE_LIMITS, store, { logger });
  const sessions = createSessions(
    {
      secret: config.session.secret,
      idleMinutes: config.session.idleMinutes,
      maxHours: config.session.maxHours,
      ...(deps.now ? { now: deps.now } : {}),
    },
    directory,
    store,
  );

  const app = express();
  app.disable('x-powered-by');
  // API answers are short-lived and the SPA never revalidates them: hashing every body for an ETag
  // is work nobody uses (static files keep theirs, from express.static).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  app.use(compression());
  app.use(requestLogger(logger, { level: config.logRequests }));
  // Nothing past this line sees an address that does not decode cleanly.
  app.use(wellFormedRequest);
  app.use('/api', auditTrail(audit));
  // The rate limits sit on the routes they guard: sign-in's key on the username in the body, the
  // install and preflight limits on the signed-in user (see routes/session.ts, accessRules.ts).
  app.use('/api', sessions.load);
  app.use('/api', limits.anonymous);
  app.use(csrfProtection);

  const api = Router();
  api.use(healthRouter({ ovh }));
  api.use(metaRouter({ config }));
  api.use(sessionRouter({ sessions, directory, rateLimits: limits }));
  api.use(requireSession);
  api.use('/servers/:sn', validServerName);
  // Only signed-in requests get their body parsed.
  api.use(jsonBody(), jsonBodyErrors);
  api.use(
    accessRules({
      rateLimits: limits,
      idempotency: createIdempotency({ store, ...(deps.now ? { now: deps.now } : {}) }),
    }),
  );
  api.use(auditRouter({ audit }));
  // Before the install and preflight routes: their forms may name a library image version.
  api.use(provideImageLibrary(library));
  api.use('/images', imagesRouter({ library, audit }));
  api.use('/webhooks', webhooks.router);
  api.use(
    '/rollouts',
    rolloutsRouter({
      rollouts,
      ovh,
      library,
      secrets: library.secrets,
      installRoute: config.installRoute,
      audit,
      nudge: () => driver.nudge(),
    }),
  );
  api.use(
    '/servers',
    serversRouter({
      ovh,
      tracker,
      known,
      records,
      outcomes,
      scope: (req) => {
        const user = sessionUser(req);
        return {
          patterns: user?.servers ?? [],
          canSee: (sn) => user?.canAccessServer(sn) ?? false,
        };
      },
    }),
  );
  api.use(
    '/servers',
    installRouter({
      ovh,
      tracker,
      known,
      records,
      locks,
      outcomes,
      logger,
      installRoute: config.installRoute,
    }),
  );
  api.use(installsRouter({ ovh, records }));
  api.use('/servers', preflightRouter({ ovh, config, library }));
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(webApp(config.webDistDir));
  app.use(errorHandler);
  return Object.assign(app, { stopWork: stop });
}
