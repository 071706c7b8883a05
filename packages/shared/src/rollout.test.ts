import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from './form.ts';
import {
  createRolloutSchema,
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

describe('createRolloutSchema', () => {
  const valid = {
    name: 'Debian 12.8 on web',
    servers: ['ns1234567.ip-51-91-0.eu', 'ns3001234.ip-145-239-10.eu'],
    image: { imageURL: 'https://images.example.com/debian.qcow2', imageType: 'qcow2' },
    plan: { batchSize: 5, maxInFlight: 5 },
  };
  const problems = (body: unknown) => {
    const result = createRolloutSchema.safeParse(body);
    return result.success ? [] : Object.values(fieldErrorsOf(result.error)).flat();
  };

  it('accepts names or a search, a library version or image fields, and fills the defaults', () => {
    const parsed = createRolloutSchema.parse(valid);
    expect(parsed.plan).toMatchObject({ canary: 1, maxFailures: 0, onBlocked: 'refuse' });
    expect(parsed.customizations).toEqual({ configDriveMetadata: [] });
    expect(createRolloutSchema.parse({ ...valid, servers: { search: ' web ' } }).servers).toEqual({
      search: 'web',
      datacenter: [],
    });
    const library = { ...valid, image: { libraryImageId: 'img-1', version: 2 } };
    expect(createRolloutSchema.parse(library).image).toMatchObject({ libraryImageId: 'img-1' });
  });

  it.each([
    [{ ...valid, servers: [] }, /at least one server/],
    [{ ...valid, servers: 'ns1' }, /list of server names, or a search/],
    [{ ...valid, servers: ['ns1.eu', 'ns1.eu'] }, /names ns1\.eu twice/],
    [{ ...valid, servers: ['../etc'] }, /not a server name OVH issues/],
    [{ ...valid, servers: { search: 'web', rack: 'x' } }, /unknown field "rack"/],
    [{ ...valid, servers: { datacenter: [''] } }, /empty name/],
    [{ ...valid, image: { libraryImageId: 'img-1' } }, /needs both libraryImageId and version/],
    [
      { ...valid, image: { libraryImageId: 'img-1', version: 1, imageURL: 'https://x/y.raw' } },
      /give one of them/,
    ],
    [{ ...valid, image: {} }, /needs imageURL and imageType/],
    [{ ...valid, customizations: { customHostname: 'web' } }, /same hostname/],
    [{ ...valid, name: 'two\nlines' }, /on one line/],
    [{ ...valid, name: '  ' }, /must not be empty/],
    [{ ...valid, extra: 1 }, /unknown field "extra"/],
  ])('refuses %j with a sentence that says how to fix it', (body, message) => {
    expect(problems(body).join(' ')).toMatch(message);
  });

  it('refuses more servers than one rollout covers', () => {
    const names = Array.from({ length: 1001 }, (_, i) => `ns${i}.ip-1-1-1.eu`);
    expect(problems({ ...valid, servers: names }).join(' ')).toMatch(/more than 1000 servers/);
  });
});
