/**
 * The bodies of `POST /api/webhooks` and `PATCH /api/webhooks/:id`. Every message says what is
 * wrong and how to fix it. The URL's host is checked against the address guard afterwards, by the
 * registry: that needs DNS, which a schema does not do.
 */
import { z } from 'zod';
import {
  WEBHOOK_EVENT_TYPES,
  type CreateWebhookRequest,
  type UpdateWebhookRequest,
} from '@byoi/shared';

export const WEBHOOK_URL_MAX_LENGTH = 2000;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 500;

/** No lone UTF-16 surrogate (with the u flag, `\p{Cs}` matches only unpaired ones). */
const wellFormed = (value: string): boolean => !/\p{Cs}/u.test(value);

const EXAMPLE = 'e.g. https://hooks.example.com/byoi';
const NO_HOST = `The webhook URL has no host name: write it as https://<host>/<path>, ${EXAMPLE}.`;

const ENTER_URL = `Enter the webhook URL, ${EXAMPLE}: the address the console sends events to.`;

const url = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? ENTER_URL
        : `url must be text: the address the console sends events to, ${EXAMPLE}.`,
  })
  .trim()
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value === '') {
      return fail(ENTER_URL);
    }
    if (/\s/.test(value)) {
      return fail(
        'The webhook URL contains a space or line break. Remove it, or encode it as %20.',
      );
    }
    if (/\p{Cc}/u.test(value) || !wellFormed(value)) {
      return fail(
        'The webhook URL contains a control character or a broken Unicode character. Copy it again from its source.',
      );
    }
    if (!/^https?:\/\//i.test(value)) {
      return fail(
        `The webhook URL must start with https:// (or http://), ${EXAMPLE}: events are sent as HTTP POST requests.`,
      );
    }
    if (value.length > WEBHOOK_URL_MAX_LENGTH) {
      return fail(
        `The webhook URL is ${value.length} characters long; at most ${WEBHOOK_URL_MAX_LENGTH} are accepted. Use a shorter address.`,
      );
    }
    if (/^https?:\/\/(?:[/?#]|$)/i.test(value)) return fail(NO_HOST);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return fail(`The webhook URL is not a valid web address. Check it for typos, ${EXAMPLE}.`);
    }
    if (parsed.hostname === '') return fail(NO_HOST);
    if (parsed.username !== '' || parsed.password !== '') {
      return fail(
        'The webhook URL contains a user name or password (user:pass@). Remove them: the receiver authenticates the console by checking the X-BYOI-Signature header with the webhook secret.',
      );
    }
    if (parsed.hash !== '') {
      return fail(
        'The webhook URL has a #fragment, which is never sent to the receiver. Remove it (put what it carries in the path or query instead).',
      );
    }
  });

const KNOWN_EVENTS = WEBHOOK_EVENT_TYPES.join(', ');

const eventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) =>
    `${typeof issue.input === 'string' ? `"${issue.input.slice(0, 64)}"` : 'This'} is not an event the console sends. Use one of: ${KNOWN_EVENTS}.`,
});

const events = z
  .array(eventType, {
    error: `events must be a list of event names, e.g. ["install.finished"]. Known events: ${KNOWN_EVENTS}.`,
  })
  .min(
    1,
    `events is empty, so the webhook would never be told anything. Name at least one of: ${KNOWN_EVENTS}; or leave events out to get all of them.`,
  )
  // A name given twice means the same subscription: keep it once, in the order first given.
  .transform((names) => [...new Set(names)]);

const description = z
  .string({ error: 'description must be text: a note for people, e.g. "Ops chat".' })
  .trim()
  .max(
    WEBHOOK_DESCRIPTION_MAX_LENGTH,
    `description is longer than ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters. Shorten it.`,
  )
  .refine(
    (value) => !/\p{Cc}/u.test(value.replace(/[\n\t]/g, '')) && wellFormed(value),
    'description contains a control character or a broken Unicode character. Remove it.',
  );

/** Names unknown fields and the accepted ones; a URL change is a new webhook, and says so. */
function bodyMessages(what: string, accepted: readonly string[]) {
  return (issue: z.core.$ZodRawIssue): string => {
    if (issue.code !== 'unrecognized_keys') {
      return `The ${what} must be a JSON object with the fields ${accepted.join(', ')}.`;
    }
    const keys = issue.keys.map((key) => `"${key.slice(0, 64)}"`).join(', ');
    const plural = issue.keys.length > 1;
    const urlHint = issue.keys.includes('url')
      ? ' A webhook keeps its URL: to send events elsewhere, create a new webhook and delete this one.'
      : '';
    return `The ${what} has unknown field${plural ? 's' : ''} ${keys}. Remove ${plural ? 'them' : 'it'}; accepted fields: ${accepted.join(', ')}.${urlHint}`;
  };
}

export const createWebhookSchema = z
  .strictObject(
    { url, events: events.optional(), description: description.optional() },
    { error: bodyMessages('new webhook', ['url', 'events', 'description']) },
  )
  .transform((body) => ({
    url: body.url,
    events: body.events ?? [...WEBHOOK_EVENT_TYPES],
    description: body.description ?? '',
  })) satisfies z.ZodType<unknown, CreateWebhookRequest>;

export type CreateWebhook = z.output<typeof createWebhookSchema>;

const UPDATE_FIELDS = ['events', 'description', 'enabled'] as const;

export const updateWebhookSchema = z
  .strictObject(
    {
      events: events.optional(),
      description: description.optional(),
      enabled: z
        .boolean({ error: 'enabled must be true or false (JSON booleans, without quotes).' })
        .optional(),
    },
    { error: bodyMessages('webhook change', UPDATE_FIELDS) },
  )
  .refine((body) => UPDATE_FIELDS.some((field) => body[field] !== undefined), {
    message: `The webhook change is empty. Send at least one of ${UPDATE_FIELDS.join(', ')}.`,
    // Only for a body otherwise fine: one with unknown fields is not empty, just wrong.
    when: (payload) => payload.issues.length === 0,
  }) satisfies z.ZodType<unknown, UpdateWebhookRequest>;

export type UpdateWebhook = z.output<typeof updateWebhookSchema>;
