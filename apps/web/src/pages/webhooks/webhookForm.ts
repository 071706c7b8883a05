import { WEBHOOK_EVENT_TYPES } from '@byoi/shared';
import type { CreateWebhookRequest, WebhookEventType } from '@byoi/shared';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';

/** What each event means, for the checkboxes. */
export const EVENT_LABEL: Record<WebhookEventType, string> = {
  'rollout.started': 'A rollout started',
  'rollout.canary_passed': 'Its canaries were installed',
  'rollout.canary_failed': 'A canary failed',
  'rollout.paused': 'A rollout paused',
  'rollout.failed': 'A rollout failed',
  'rollout.done': 'A rollout is done',
  'rollout.aborted': 'A rollout was aborted',
  'install.finished': 'A single install ended',
};

export const eventsSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1, 'Choose at least one event: a webhook told about nothing is never called.');

/**
 * The browser's convenience check of a new webhook; the BFF holds the real rules (which hosts it
 * may call), and its messages land on the same fields.
 */
const webhookFormSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, 'Enter the address to call, e.g. https://hooks.example.com/byoi.')
    .refine((value) => /^https?:\/\/[^\s/]+/i.test(value), {
      message: 'The address must start with https:// (or http://) and name a host.',
    }),
  description: z.string().trim().max(200, 'The description is at most 200 characters.'),
  events: eventsSchema,
});

export type WebhookFormValues = z.input<typeof webhookFormSchema>;
export type WebhookForm = z.output<typeof webhookFormSchema>;

export const webhookResolver = zodResolver(webhookFormSchema);

export const EMPTY_WEBHOOK_FORM: WebhookFormValues = {
  url: '',
  description: '',
  events: [...WEBHOOK_EVENT_TYPES],
};

/** Every event ticked is sent as none: the BFF then also sends events added later. */
export function createRequestOf(form: WebhookForm): CreateWebhookRequest {
  const all = WEBHOOK_EVENT_TYPES.every((event) => form.events.includes(event));
  return {
    url: form.url,
    ...(form.description ? { description: form.description } : {}),
    ...(all ? {} : { events: form.events }),
  };
}
