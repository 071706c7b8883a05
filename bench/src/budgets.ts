/**
 * The budgets of issue #8 and how a measurement is judged against them. In smoke mode (CI: short
 * runs on a shared, noisy machine) time and throughput budgets are loosened three times; sizes,
 * memory and error counts are judged as they are.
 */

export type Mode = 'full' | 'smoke';

export const SMOKE_LOOSENESS = 3;

export interface Budget {
  /** `max`: the value must be at most the limit; `min`: at least. */
  kind: 'max' | 'min';
  limit: number;
  /** Loosened in smoke mode (timings and rates); exact ones are not. */
  noisy: boolean;
}

export interface Measurement {
  id: string;
  label: string;
  value: number;
  unit: string;
  budget: Budget | null;
  /** Context printed beside the figure (e.g. "p50 3.1 ms, 0 errors"). */
  detail?: string;
  /** For upstream-bound timings: the value in round trips to OVH (its latency per call). */
  roundTrips?: number;
}

export interface Judged extends Measurement {
  /** The limit applied in this mode (loosened in smoke mode), or null when informative only. */
  appliedLimit: number | null;
  pass: boolean;
}

export function appliedLimit(budget: Budget, mode: Mode): number {
  if (mode === 'full' || !budget.noisy) return budget.limit;
  return budget.kind === 'max' ? budget.limit * SMOKE_LOOSENESS : budget.limit / SMOKE_LOOSENESS;
}

export function judge(m: Measurement, mode: Mode): Judged {
  if (!m.budget) return { ...m, appliedLimit: null, pass: true };
  const limit = appliedLimit(m.budget, mode);
  const pass =
    Number.isFinite(m.value) && (m.budget.kind === 'max' ? m.value <= limit : m.value >= limit);
  return { ...m, appliedLimit: limit, pass };
}

export const atMost = (limit: number, noisy = true): Budget => ({ kind: 'max', limit, noisy });
export const atLeast = (limit: number, noisy = true): Budget => ({ kind: 'min', limit, noisy });

/** The console's performance budgets (issues #8 and #14). */
export const BUDGETS = {
  /** A cold first page of 50, in round trips to OVH (× its latency per call). */
  fleetFirstPageRoundTrips: 1.5,
  /** Upstream calls a cold first page may cost. */
  fleetFirstPageCalls: 2,
  /** A cold search over display names, in round trips. */
  fleetSearchRoundTrips: 1.5,
  /** Every server with its details, cold, in round trips. */
  fleetAllRoundTrips: 3,
  fleetWarmListMs: 50,
  detailP99Ms: 5,
  detailRps: 2000,
  webFirstLoadGzipBytes: 200 * 1024,
  webLcpMs: 1000,
  verifyThroughputRatio: 0.8,
  verifyRssGrowthBytes: 64 * 1024 * 1024,
  /** A whole rollout: at most this many times its waves × one install's time (issue #18). */
  rolloutWavesFactor: 1.2,
  /** The BFF's heap after GC, end of a 1,000-server rollout against its start. */
  rolloutHeapGrowthBytes: 16 * 1024 * 1024,
} as const;

/**
 * The waves a rollout runs, as the scheduler forms them: the canaries first (a wave of their own,
 * `maxInFlight` at a time), then batches of `batchSize`, each `min(batchSize, maxInFlight)` at a
 * time and only once the previous one has ended.
 */
export function installWaves(
  plan: { canary: number; batchSize: number; maxInFlight: number },
  servers: number,
): number {
  const canaries = Math.min(plan.canary, servers);
  const perBatch = Math.ceil(Math.min(plan.batchSize, servers) / plan.maxInFlight);
  const batches = Math.ceil((servers - canaries) / plan.batchSize);
  return Math.ceil(canaries / plan.maxInFlight) + batches * perBatch;
}

/** Issue #18's bound on a whole rollout: 1.2 × its waves × one install's time. */
export const rolloutBoundMs = (waves: number, oneInstallMs: number) =>
  BUDGETS.rolloutWavesFactor * waves * oneInstallMs;
