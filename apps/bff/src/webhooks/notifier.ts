/**
 * How the rest of the console tells webhooks about something: `emit` queues the event for every
 * enabled webhook that subscribed to its type, as rows of `webhook_deliveries` written with `db`.
 * Given the transaction of the change that caused it, the event is queued exactly when that change
 * commits: a replica killed in between loses neither, and sends neither twice. The delivery worker
 * (webhooks/outbox.ts) sends the queued rows, retrying with backoff.
 */
import type { Kysely } from 'kysely';
import type { WebhookEventType } from '@byoi/shared';
import type { Database } from '../store/schema.ts';
import type { WebhookEvent } from './event.ts';

export interface Notifier {
  emit(
    db: Kysely<Database>,
    type: WebhookEventType,
    data: WebhookEvent['data'],
    now?: number,
  ): Promise<void>;
}
