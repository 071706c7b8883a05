/**
 * Delivers one event to one webhook URL, retrying what may pass on a second try: network errors,
 * timeouts, 429 and 5xx (waiting at least as long as Retry-After asks). Other answers are final:
 * a 2xx delivers, a 3xx is not followed, any other 4xx says the receiver will not take it.
 * A guard refusal is final too: nothing was sent, and sending again would be refused again.
 *
 * Each attempt is re-signed with its own timestamp, so a retry made after the receiver's tolerance
 * window still verifies; the body (and the event id a receiver dedupes on) never changes.
 * Attempt records hold a status or an error message, never a header, the URL or a secret.
 * `attemptDelivery` is one attempt and the policy's verdict on it; `createDeliverer` loops over it
 * in memory, and the durable outbox (outbox.ts) takes one step per claim of a stored row.
 */
import { GuardError } from '../preflight/errors.ts';
import { eventBody, type WebhookEvent } from './event.ts';
import { isWebhookUrl, type GuardedPost, type PostAnswer } from './guardedPost.ts';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_ID_HEADER,
  signatureHeader,
} from './signature.ts';

export const WEBHOOK_USER_AGENT = 'byoi-console-webhooks/1';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The wait before the first retry; each later wait doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Up to this fraction of each wait is shaved off at random, so hooks do not retry in step. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  jitter: 0.5,
};

/** One try, as the delivery log will store it. */
export type AttemptRecord = {
  /** 1 for the first try. */
  attempt: number;
  /** When the attempt started, ISO 8601. */
  at: string;
  durationMs: number;
  /** The wait before the next attempt, or null when this was the last one. */
  retryInMs: number | null;
} & ({ status: number } | { error: string });

export type AttemptSink = (attempt: AttemptRecord) => void;

export type DeliveryOutcome =
  /** The receiver answered 2xx. */
  | 'delivered'
  /** A final answer (3xx, 4xx), or retries ran out. */
  | 'failed'
  /** The URL is not http(s), or the address guard refused its host: nothing was sent. */
  | 'refused';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  attempts: number;
}

export interface WebhookTarget {
  url: string;
  /** Signing secrets, the current one first; two while the operator rotates. */
  secrets: readonly string[];
}

export interface DelivererOptions {
  post: GuardedPost;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  now?: () => number;
  /** In [0, 1); defaults to `Math.random`. */
  random?: () => number;
}

export type Deliver = (
  event: WebhookEvent,
  target: WebhookTarget,
  onAttempt: AttemptSink,
) => Promise<DeliveryResult>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `retry` (1 for the first retry), jitter applied. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(full * (1 - policy.jitter * random()));
}

/** Retry-After in milliseconds (delay-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** What an attempt needs besides the delivery: how to send, when to retry, the clock and dice. */
export interface AttemptContext {
  post: GuardedPost;
  policy: RetryPolicy;
  now: () => number;
  random: () => number;
}

/** One event for one webhook, as the outbox stores it: the exact bytes, and where they go. */
export interface PendingDelivery extends WebhookTarget {
  eventId: string;
  body: string;
}

/**
 * One attempt and what the policy makes of it: `outcome` once the delivery is over (its record's
 * `retryInMs` is then null), or null to try again after `record.retryInMs`. The one place the
 * retry rules live: the in-memory deliverer and the durable outbox both take their steps here.
 */
export interface AttemptStep {
  record: AttemptRecord;
  outcome: DeliveryOutcome | null;
}

export async function attemptDelivery(
  context: AttemptContext,
  delivery: PendingDelivery,
  attempt: number,
): Promise<AttemptStep> {
  const { now, policy } = context;
  if (delivery.secrets.length === 0)
    throw new Error('A webhook needs at least one signing secret.');
  if (!isWebhookUrl(delivery.url)) {
    return {
      outcome: 'refused',
      record: {
        attempt,
        at: new Date(now()).toISOString(),
        durationMs: 0,
        retryInMs: null,
        error: 'The webhook URL is not an http:// or https:// URL.',
      },
    };
  }
  const startedAt = now();
  const timestamp = Math.floor(startedAt / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    [WEBHOOK_ID_HEADER.toLowerCase()]: delivery.eventId,
    [TIMESTAMP_HEADER.toLowerCase()]: String(timestamp),
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(delivery.secrets, timestamp, delivery.body),
  };

  let answer: PostAnswer | null = null;
  let error: unknown = null;
  try {
    answer = await context.post(delivery.url, delivery.body, headers);
  } catch (caught) {
    error = caught;
  }
  const base = {
    attempt,
    at: new Date(startedAt).toISOString(),
    durationMs: Math.max(0, now() - startedAt),
  };
  const record = (retryInMs: number | null): AttemptRecord =>
    answer
      ? { ...base, retryInMs, status: answer.status }
      : { ...base, retryInMs, error: errorText(error) };

  if (answer && answer.status >= 200 && answer.status < 300) {
    return { outcome: 'delivered', record: record(null) };
  }
  if (error instanceof GuardError) return { outcome: 'refused', record: record(null) };
  const retryable = answer === null || retryableStatus(answer.status);
  const wait = retryable && attempt < policy.maxAttempts ? waitBefore(attempt + 1, answer) : null;
  return { outcome: wait === null ? 'failed' : null, record: record(wait) };

  /**
   * The wait before `nextAttempt`, or null to stop: a receiver asking for more than `maxDelayMs`
   * is not retried sooner than it asked, it is given up on.
   */
  function waitBefore(nextAttempt: number, answered: PostAnswer | null): number | null {
    const backoff = backoffDelay(nextAttempt - 1, policy, context.random);
    const asked = retryAfterMs(answered?.headers['retry-after'], now());
    if (asked === null) return backoff;
    if (asked > policy.maxDelayMs) return null;
    return Math.max(backoff, asked);
  }
}

export function createDeliverer(options: DelivererOptions): Deliver {
  const context: AttemptContext = {
    post: options.post,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
  const sleep = options.sleep ?? realSleep;

  return async function deliver(event, target, onAttempt) {
    const delivery = { ...target, eventId: event.id, body: eventBody(event) };
    for (let attempt = 1; ; attempt++) {
      const step = await attemptDelivery(context, delivery, attempt);
      onAttempt(step.record);
      if (step.outcome !== null) return { outcome: step.outcome, attempts: attempt };
      await sleep(step.record.retryInMs ?? 0);
    }
  };
}

/** The message of what went wrong. Errors come from the guard and the POST, which name hosts only. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'The delivery failed for an unknown reason.';
}
