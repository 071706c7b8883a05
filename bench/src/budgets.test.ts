import { describe, expect, it } from 'vitest';
import { atLeast, atMost, judge, type Measurement } from './budgets.ts';

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
