/** What the console tells a webhook about, and the JSON body every delivery carries. */
import { randomUUID } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@byoi/shared';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType };

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The body of a delivery. `id` and `createdAt` stay the same on every retry of the event. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** ISO 8601, when the event happened (not when this attempt was sent). */
  createdAt: string;
  data: { [key: string]: JsonValue };
}

export function newWebhookEvent(
  type: WebhookEventType,
  data: WebhookEvent['data'],
  now: number = Date.now(),
): WebhookEvent {
  return { id: `evt_${randomUUID()}`, type, createdAt: new Date(now).toISOString(), data };
}

/** The exact bytes that are signed and sent; a fixed key order keeps them stable across retries. */
export function eventBody(event: WebhookEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    data: event.data,
  });
}
