/**
 * The webhooks, put together: the registry and its router, the notifier the rest of the console
 * emits events through, and the outbox worker that delivers them (started here, stopped by
 * `shutdown` or `close`). Webhook URLs go through the preflight's address guard, configured the
 * same way: PREFLIGHT_ALLOW_HOSTS opens chosen private hosts, simulator mode opens loopback.
 */
import type { Router } from 'express';
import type { AuditLog } from '../audit/auditLog.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createAddressGuard, type Resolver } from '../preflight/addressGuard.ts';
import { webhooksRouter } from '../routes/webhooks.ts';
import { HeaderSecrets } from '../secrets/headerSecrets.ts';
import type { Store } from '../store/store.ts';
import type { RetryPolicy } from './delivery.ts';
import { createGuardedPost } from './guardedPost.ts';
import type { Notifier } from './notifier.ts';
import { WebhookOutbox } from './outbox.ts';
import { WebhookRegistry } from './webhookRegistry.ts';

/** A receiver has this long to answer an attempt; the outbox's lease is far longer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhooksOptions {
  store: Store;
  config: Pick<Config, 'mode' | 'preflightAllowHosts' | 'secretsKey' | 'dataDir' | 'webhookPollMs'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  audit: Pick<AuditLog, 'recordDurably'>;
  shutdown?: AbortSignal;
  /** How often the outbox looks for due deliveries; `config.webhookPollMs` by default. */
  pollMs?: number;
  /** For tests: a faster schedule, a shorter lease or timeout, another resolver. */
  retry?: Partial<RetryPolicy>;
  leaseMs?: number;
  timeoutMs?: number;
  resolver?: Resolver;
  /** For tests: build the parts without starting the worker (its rounds are then `outbox.poll()`). */
  start?: boolean;
}

export interface Webhooks {
  router: Router;
  notifier: Notifier;
  registry: WebhookRegistry;
  outbox: WebhookOutbox;
  close(): Promise<void>;
}

export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { store, config, logger } = options;
  const guard = createAddressGuard({
    allowHosts: config.preflightAllowHosts,
    allowLoopback: config.mode === 'simulator',
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  const registry = new WebhookRegistry({ store, secrets: new HeaderSecrets(store, config), guard });
  const outbox = new WebhookOutbox({
    store,
    registry,
    logger,
    post: createGuardedPost({ guard, timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS }),
    pollMs: options.pollMs ?? config.webhookPollMs,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
  });
  if (options.start !== false) outbox.start(options.shutdown);
  return {
    router: webhooksRouter({ registry, audit: options.audit }),
    notifier: outbox,
    registry,
    outbox,
    close: () => outbox.close(),
  };
}
