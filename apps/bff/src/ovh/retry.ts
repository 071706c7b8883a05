import { setTimeout as sleep } from 'node:timers/promises';
import { normaliseOvhError } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles each retry, plus up to the same again of random jitter. */
  baseDelayMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 200 };

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = policy.baseDelayMs * 2 ** attempt;
  return Math.round(base + base * (policy.random ?? Math.random)());
}

/** Runs `attempt`, retrying on retryable OvhErrors (5xx, network, timeout) with exponential backoff. */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (raw) {
      const error = normaliseOvhError(raw);
      if (!error.retryable || n >= policy.maxRetries) throw error;
      await sleep(backoffDelay(n, policy));
    }
  }
}
