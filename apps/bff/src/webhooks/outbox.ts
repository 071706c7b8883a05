/**
 * The durable outbox: `emit` queues an event as one `webhook_deliveries` row per subscribed
 * webhook, in the caller's transaction, and a worker on every replica sends what is due. Each
 * round claims due rows with `FOR UPDATE SKIP LOCKED` and a lease (`lease_owner`, `lease_until`),
 * so replicas never take the same row at once; sends one attempt per row (delivery.ts decides what
 * comes of it); and writes the attempt and the next state back, only while it still holds the
 * lease. A replica that dies mid-attempt leaves its rows to whoever claims them once the lease is
 * over: a receiver may then get an event twice, never zero times, and dedupes on its id.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookEventType } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { Logger } from '../logger.ts';
import type { Database, StoredAttempt, WebhookDeliveryTable } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import {
  DEFAULT_RETRY_POLICY,
  attemptDelivery,
  type AttemptContext,
  type AttemptRecord,
  type RetryPolicy,
} from './delivery.ts';
import { eventBody, newWebhookEvent, type WebhookEvent } from './event.ts';
import type { GuardedPost } from './guardedPost.ts';
import type { Notifier } from './notifier.ts';
import type { WebhookRegistry, WebhookRow } from './webhookRegistry.ts';

export const DEFAULT_POLL_MS = 1_000;
/** Rows one replica takes per round; a full round is followed by another at once. */
export const OUTBOX_BATCH = 20;
/** Long enough for an attempt (its POST times out well before) and the write after it. */
export const DEFAULT_LEASE_MS = 60_000;
/** A delivery whose secrets cannot be opened (a key problem) waits this long before it is looked at again. */
const KEY_PROBLEM_PAUSE_MS = 60_000;

type ClaimedRow = Pick<
  Selectable<WebhookDeliveryTable>,
  'id' | 'webhook_id' | 'event_id' | 'event_type' | 'body' | 'attempts'
>;

export interface OutboxOptions {
  store: Store;
  post: GuardedPost;
  /** Opens a webhook's signing secrets. */
  registry: Pick<WebhookRegistry, 'signingSecrets'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  retry?: Partial<RetryPolicy>;
  pollMs?: number;
  leaseMs?: number;
  batch?: number;
  now?: () => number;
  random?: () => number;
}

function toStored(record: AttemptRecord): StoredAttempt {
  return {
    attempt: record.attempt,
    at: record.at,
    durationMs: record.durationMs,
    status: 'status' in record ? record.status : null,
    error: 'error' in record ? record.error : null,
  };
}

const errorFields = (error: unknown) => ({
  err: error instanceof Error ? { name: error.name, message: error.message } : {},
});

export class WebhookOutbox implements Notifier {
  readonly #store: Store;
  readonly #registry: OutboxOptions['registry'];
  readonly #logger: OutboxOptions['logger'];
  readonly #context: AttemptContext;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #batch: number;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<number> | null = null;
  #closed = false;

  constructor(options: OutboxOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#logger = options.logger;
    this.#context = {
      post: options.post,
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#batch = options.batch ?? OUTBOX_BATCH;
  }

  /**
   * Queues the event for every enabled webhook subscribed to `type`, with `db` (pass the
   * transaction of the change the event tells about). Nothing is queued when no one subscribed.
   */
  async emit(
    db: Kysely<Database>,
    type: WebhookEventType,
    data: WebhookEvent['data'],
    now: number = this.#context.now(),
  ): Promise<void> {
    const hooks = await db
      .selectFrom('webhooks')
      .select('id')
      .where('enabled', '=', true)
      .where('deleted_at', 'is', null)
      .where(sql<boolean>`events @> ${JSON.stringify([type])}::jsonb`)
      .execute();
    if (hooks.length === 0) return;
    const event = newWebhookEvent(type, data, now);
    const body = eventBody(event);
    const at = new Date(now);
    await db
      .insertInto('webhook_deliveries')
      .values(
        hooks.map((hook) => ({
          id: `whd_${randomUUID()}`,
          webhook_id: hook.id,
          event_id: event.id,
          event_type: type,
          body,
          created_at: at,
          next_attempt_at: at,
        })),
      )
      .execute();
  }

  /** Starts the rounds (every `pollMs`) until `close` or `signal`. */
  start(signal?: AbortSignal): void {
    signal?.addEventListener('abort', () => void this.close(), { once: true });
    if (signal?.aborted) return void this.close();
    this.#schedule(this.#pollMs);
  }

  /** One round: claims the due deliveries and makes one attempt at each. Resolves to how many. */
  poll(): Promise<number> {
    if (this.#closed) return Promise.resolve(0);
    // One round at a time per replica: a round that is still sending is not doubled.
    this.#round ??= this.#runRound().finally(() => {
      this.#round = null;
    });
    return this.#round;
  }

  /** Stops the rounds; resolves once the round in flight (if any) has written its attempts. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round?.catch(() => undefined);
  }

  async #runRound(): Promise<number> {
    const claimed = await this.#claim();
    if (claimed.length === 0) return 0;
    const hooks = await this.#store.db
      .selectFrom('webhooks')
      .select(['id', 'url', 'secret', 'previous_secret', 'previous_until'])
      .where('id', 'in', [...new Set(claimed.map((row) => row.webhook_id))])
      .execute();
    const hookOf = new Map(hooks.map((hook) => [hook.id, hook]));
    await Promise.all(claimed.map((row) => this.#attempt(row, hookOf.get(row.webhook_id))));
    return claimed.length;
  }

  /** Takes up to a batch of due rows of enabled webhooks that no live lease holds. */
  #claim(): Promise<ClaimedRow[]> {
    const now = new Date(this.#context.now());
    const until = new Date(now.getTime() + this.#leaseMs);
    return this.#store.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: this.#store.replicaId, lease_until: until })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select('d.id')
          .where('d.state', '=', 'pending')
          .where('d.next_attempt_at', '<=', now)
          .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
          .where((w) =>
            w.exists(
              w
                .selectFrom('webhooks as w')
                .select('w.id')
                .whereRef('w.id', '=', 'd.webhook_id')
                .where('w.enabled', '=', true)
                .where('w.deleted_at', 'is', null),
            ),
          )
          .orderBy('d.next_attempt_at')
          .limit(this.#batch)
          .forUpdate('d')
          .skipLocked(),
      )
      .returning(['id', 'webhook_id', 'event_id', 'event_type', 'body', 'attempts'])
      .execute();
  }

  async #attempt(
    row: ClaimedRow,
    hook:
      Pick<WebhookRow, 'id' | 'url' | 'secret' | 'previous_secret' | 'previous_until'> | undefined,
  ): Promise<void> {
    const where = { webhookId: row.webhook_id, deliveryId: row.id, event: row.event_type };
    try {
      if (!hook) return;
      let secrets: string[];
      try {
        secrets = await this.#registry.signingSecrets(hook, this.#context.now());
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // Nothing was sent, so it is no attempt: the delivery waits until the key is put right.
        this.#logger.warn({ ...where }, `a webhook delivery waits: ${error.message}`);
        await this.#release(row, this.#context.now() + KEY_PROBLEM_PAUSE_MS);
        return;
      }
      const step = await attemptDelivery(
        this.#context,
        { url: hook.url, secrets, eventId: row.event_id, body: row.body },
        row.attempts.length + 1,
      );
      const { record } = step;
      const retryAt = step.outcome === null ? this.#context.now() + (record.retryInMs ?? 0) : null;
      const written = await this.#store.db
        .updateTable('webhook_deliveries')
        .set({
          attempts: sql<string>`attempts || ${JSON.stringify([toStored(record)])}::jsonb`,
          state: step.outcome ?? 'pending',
          next_attempt_at: retryAt === null ? null : new Date(retryAt),
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', row.id)
        .where('lease_owner', '=', this.#store.replicaId)
        .executeTakeFirst();
      const answer = 'status' in record ? { status: record.status } : { error: record.error };
      if (written.numUpdatedRows === 0n) {
        this.#logger.warn(
          { ...where, attempt: record.attempt },
          'a webhook delivery was taken over by another replica, or stopped by a delete, while it was sent: its attempt is not in the log',
        );
      } else if (step.outcome !== 'delivered') {
        this.#logger.info(
          { ...where, attempt: record.attempt, ...answer, retryInMs: record.retryInMs },
          step.outcome === null
            ? 'webhook delivery attempt failed; it will be retried'
            : `webhook delivery ${step.outcome}`,
        );
      }
    } catch (error) {
      // The store, most likely: the lease runs out and the row is claimed again.
      this.#logger.warn(
        { ...where, ...errorFields(error) },
        'a webhook delivery could not be attempted; it will be tried again',
      );
    }
  }

  /** Gives the row back unattempted, due again at `at`. */
  async #release(row: ClaimedRow, at: number): Promise<void> {
    await this.#store.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: new Date(at), lease_owner: null, lease_until: null })
      .where('id', '=', row.id)
      .where('lease_owner', '=', this.#store.replicaId)
      .execute();
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      let full = false;
      void this.poll()
        .then((count) => {
          full = count >= this.#batch;
        })
        .catch((error: unknown) => {
          this.#logger.warn(
            errorFields(error),
            'the webhook outbox could not read the store; trying again at the next round',
          );
        })
        .finally(() => {
          this.#timer = null;
          this.#schedule(full ? 0 : this.#pollMs);
        });
    }, delayMs);
    // The outbox must never keep a stopping process alive.
    this.#timer.unref();
  }
}
