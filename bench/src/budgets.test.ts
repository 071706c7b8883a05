import { describe, expect, it } from 'vitest';
import {
  atLeast,
  atMost,
  installWaves,
  judge,
  rolloutBoundMs,
  type Measurement,
} from './budgets.ts';

const m = (value: number, budget: Measurement['budget']): Measurement => ({
  id: 'x',
  label: 'x',
  value,
  unit: 'ms',
  budget,
});

describe('judging a measurement', () => {
  it('passes at the limit and fails past it, for both kinds', () => {
    expect(judge(m(300, atMost(300)), 'full').pass).toBe(true);
    expect(judge(m(300.1, atMost(300)), 'full').pass).toBe(false);
    expect(judge(m(2000, atLeast(2000)), 'full').pass).toBe(true);
    expect(judge(m(1999, atLeast(2000)), 'full').pass).toBe(false);
  });

  it('loosens noisy budgets three times in smoke mode, and only those', () => {
    expect(judge(m(899, atMost(300)), 'smoke')).toMatchObject({ pass: true, appliedLimit: 900 });
    expect(judge(m(700, atLeast(2000)), 'smoke').pass).toBe(true);
    expect(judge(m(600, atLeast(2000)), 'smoke').pass).toBe(false);
    expect(judge(m(201, atMost(200, false)), 'smoke')).toMatchObject({
      pass: false,
      appliedLimit: 200,
    });
  });

  it('fails a measurement that could not be taken, and never fails an informative one', () => {
    expect(judge(m(Number.NaN, atMost(300)), 'full').pass).toBe(false);
    expect(judge(m(Number.NaN, null), 'full')).toMatchObject({ pass: true, appliedLimit: null });
  });
});

describe("a rollout's bound", () => {
  const plan = (canary: number, batchSize: number, maxInFlight = batchSize) => ({
    canary,
    batchSize,
    maxInFlight,
  });

  it('counts the canary as a wave of its own, then one wave per batch', () => {
    expect(installWaves(plan(0, 100), 1000)).toBe(10);
    expect(installWaves(plan(1, 100), 1000)).toBe(11);
    expect(installWaves(plan(1, 100), 849)).toBe(10);
    expect(installWaves(plan(1, 100), 1)).toBe(1);
    expect(installWaves(plan(0, 50), 120)).toBe(3);
  });

  it('runs a batch wider than maxInFlight in several rounds, and canaries maxInFlight at a time', () => {
    expect(installWaves(plan(0, 100, 50), 1000)).toBe(20);
    expect(installWaves(plan(10, 100, 5), 10)).toBe(2);
  });

  it('allows 1.2 × waves × one install, and judges a rollout against it', () => {
    expect(rolloutBoundMs(10, 7000)).toBeCloseTo(84_000);
    expect(judge(m(84_000, atMost(rolloutBoundMs(10, 7000))), 'full').pass).toBe(true);
    expect(judge(m(84_100, atMost(rolloutBoundMs(10, 7000))), 'full').pass).toBe(false);
  });
});
