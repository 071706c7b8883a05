/**
 * Delivers one event to one webhook URL, retrying what may pass on a second try: network errors,
 * timeouts, 429 and 5xx (waiting at least as long as Retry-After asks). Other answers are final:
 * a 2xx delivers, a 3xx is not followed, any other 4xx says the receiver will not take it.
 * A guard refusal is final too: nothing was sent, and sending again would be refused again.
 *
 * Each attempt is re-signed with its own timestamp, so a retry made after the receiver's tolerance
 * window still verifies; the body (and the event id a receiver dedupes on) never changes.
 * Attempt records hold a status or an error message, never a header, the URL or a secret.
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

export function createDeliverer(options: DelivererOptions): Deliver {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  return async function deliver(event, target, onAttempt) {
    if (target.secrets.length === 0)
      throw new Error('A webhook needs at least one signing secret.');
    if (!isWebhookUrl(target.url)) {
      const at = now();
      onAttempt({
        attempt: 1,
        at: new Date(at).toISOString(),
        durationMs: 0,
        retryInMs: null,
        error: 'The webhook URL is not an http:// or https:// URL.',
      });
      return { outcome: 'refused', attempts: 1 };
    }
    const body = eventBody(event);

    for (let attempt = 1; ; attempt++) {
      const startedAt = now();
      const timestamp = Math.floor(startedAt / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        [WEBHOOK_ID_HEADER.toLowerCase()]: event.id,
        [TIMESTAMP_HEADER.toLowerCase()]: String(timestamp),
        [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(target.secrets, timestamp, body),
      };

      let answer: PostAnswer | null = null;
      let error: unknown = null;
      try {
        answer = await options.post(target.url, body, headers);
      } catch (caught) {
        error = caught;
      }
      const base = {
        attempt,
        at: new Date(startedAt).toISOString(),
        durationMs: Math.max(0, now() - startedAt),
      };
      const record = (r: number | null) =>
        answer
          ? { ...base, retryInMs: r, status: answer.status }
          : { ...base, retryInMs: r, error: errorText(error) };

      if (answer && answer.status >= 200 && answer.status < 300) {
        onAttempt(record(null));
        return { outcome: 'delivered', attempts: attempt };
      }
      if (error instanceof GuardError) {
        onAttempt(record(null));
        return { outcome: 'refused', attempts: attempt };
      }
      const retryable = answer === null || retryableStatus(answer.status);
      const wait =
        retryable && attempt < policy.maxAttempts ? waitBefore(attempt + 1, answer) : null;
      onAttempt(record(wait));
      if (wait === null) return { outcome: 'failed', attempts: attempt };
      await sleep(wait);
    }
  };

  /**
   * The wait before `nextAttempt`, or null to stop: a receiver asking for more than `maxDelayMs`
   * is not retried sooner than it asked, it is given up on.
   */
  function waitBefore(nextAttempt: number, answer: PostAnswer | null): number | null {
    const backoff = backoffDelay(nextAttempt - 1, policy, random);
    const asked = retryAfterMs(answer?.headers['retry-after'], now());
    if (asked === null) return backoff;
    if (asked > policy.maxDelayMs) return null;
    return Math.max(backoff, asked);
  }
}

/** The message of what went wrong. Errors come from the guard and the POST, which name hosts only. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'The delivery failed for an unknown reason.';
}
