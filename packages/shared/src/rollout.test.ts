import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from './form.ts';
import {
  DEFAULT_CANARY,
  ROLLOUT_SERVER_STATES,
  ROLLOUT_STATES,
  TERMINAL_ROLLOUT_STATES,
  rolloutPlanNotes,
  rolloutPlanSchema,
  type RolloutPlan,
} from './rollout.ts';

const minimal = { batchSize: 5, maxInFlight: 5 };

function ok(input: unknown): RolloutPlan {
  const result = rolloutPlanSchema.safeParse(input);
  if (!result.success) throw new Error(JSON.stringify(fieldErrorsOf(result.error)));
  return result.data;
}

function errorsOf(input: unknown): Record<string, string[]> {
  const result = rolloutPlanSchema.safeParse(input);
  if (result.success) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return fieldErrorsOf(result.error);
}

describe('state names', () => {
  it('lists the rollout and server states of the issue, terminal ones among them', () => {
    expect(ROLLOUT_STATES).toEqual([
      'planned',
      'checking',
      'ready',
      'running',
      'paused',
      'done',
      'failed',
      'aborted',
    ]);
    expect(ROLLOUT_SERVER_STATES).toEqual([
      'pending',
      'blocked',
      'installing',
      'done',
      'failed',
      'skipped',
      'cancelled',
    ]);
    expect(TERMINAL_ROLLOUT_STATES.every((s) => ROLLOUT_STATES.includes(s))).toBe(true);
  });
});

describe('rolloutPlanSchema', () => {
  it('fills the defaults: one canary, no pause, no failure allowed, refuse blocked servers', () => {
    expect(ok(minimal)).toEqual({
      canary: DEFAULT_CANARY,
      batchSize: 5,
      maxInFlight: 5,
      maxFailures: 0,
      pauseAfterCanary: false,
      onBlocked: 'refuse',
    });
  });

  it('accepts a full plan, including maxInFlight above batchSize', () => {
    const plan = {
      canary: 0,
      batchSize: 2,
      maxInFlight: 100,
      maxFailures: 3,
      pauseAfterCanary: true,
      onBlocked: 'skip',
    };
    expect(ok(plan)).toEqual(plan);
  });

  it.each([
    ['canary', -1, 'from 0 to 100'],
    ['canary', 101, 'from 0 to 100'],
    ['canary', 1.5, 'from 0 to 100'],
    ['canary', '1', 'from 0 to 100'],
    ['batchSize', 0, '1 or more'],
    ['batchSize', undefined, '1 or more'],
    ['maxInFlight', 0, 'from 1 to 100'],
    ['maxInFlight', 101, 'from 1 to 100'],
    ['maxInFlight', Number.NaN, 'from 1 to 100'],
    ['maxFailures', -1, '0 or more'],
    ['maxFailures', Infinity, '0 or more'],
  ] as const)('refuses %s = %s with a message that gives the range', (field, value, range) => {
    const errors = errorsOf({ ...minimal, [field]: value });
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).toEqual([
      expect.stringContaining(`plan.${field} must be a whole number ${range}:`),
    ]);
  });

  it('says what maxInFlight does against batchSize, and what each field means', () => {
    expect(errorsOf({ ...minimal, maxInFlight: 0 }).maxInFlight?.[0]).toMatch(
      /may exceed batchSize, but no more than one batch ever runs at once/,
    );
    expect(errorsOf({ ...minimal, batchSize: 0 }).batchSize?.[0]).toMatch(
      /starts only once the previous one has ended/,
    );
    expect(errorsOf({ ...minimal, canary: 500 }).canary?.[0]).toMatch(/0 for no canary/);
  });

  it('names the two choices of pauseAfterCanary and onBlocked', () => {
    const errors = errorsOf({ ...minimal, pauseAfterCanary: 'yes', onBlocked: 'ignore' });
    expect(errors.pauseAfterCanary).toEqual([expect.stringMatching(/true .* or false/)]);
    expect(errors.onBlocked).toEqual([expect.stringMatching(/'skip' .* or 'refuse'/)]);
  });

  it('reports every problem at once', () => {
    const errors = errorsOf({ canary: -1, batchSize: 0, maxInFlight: 0, maxFailures: -1 });
    expect(Object.keys(errors).sort()).toEqual([
      'batchSize',
      'canary',
      'maxFailures',
      'maxInFlight',
    ]);
  });

  it('names an unknown field and the accepted ones', () => {
    expect(errorsOf({ ...minimal, parallel: 3 })._form).toEqual([
      'plan has unknown field "parallel". Remove it; accepted fields: canary, batchSize, maxInFlight, maxFailures, pauseAfterCanary, onBlocked.',
    ]);
  });

  it('says what a plan must be when it is not an object', () => {
    expect(errorsOf('fast')._form).toEqual([
      'plan must be an object with the fields canary, batchSize, maxInFlight, maxFailures, pauseAfterCanary, onBlocked.',
    ]);
  });
});

describe('rolloutPlanNotes', () => {
  it('has nothing to say about a plain plan', () => {
    expect(rolloutPlanNotes(ok(minimal), 20)).toEqual([]);
  });

  it('says that maxInFlight above batchSize is capped by the batch', () => {
    expect(rolloutPlanNotes(ok({ batchSize: 3, maxInFlight: 10 }), 20)).toEqual([
      'maxInFlight (10) is larger than batchSize (3): at most 3 installs run at once after the canaries, since a batch starts only once the previous one has ended.',
    ]);
  });

  it('says when canaries are installed a few at a time, or cover the whole fleet', () => {
    expect(rolloutPlanNotes(ok({ canary: 4, batchSize: 2, maxInFlight: 2 }), 4)).toEqual([
      'canary (4) is larger than maxInFlight (2): the canaries are installed 2 at a time.',
      'canary (4) covers all 4 servers: every server is a canary and no batch follows.',
    ]);
  });

  it('says that pauseAfterCanary does nothing without canaries', () => {
    expect(rolloutPlanNotes(ok({ ...minimal, canary: 0, pauseAfterCanary: true }), 10)).toEqual([
      'pauseAfterCanary has no effect with canary 0: there is no canary to wait for.',
    ]);
  });
});
