/**
 * The scheduler as a table: each row is a plan, a fleet and a list of events, with the decisions
 * (actions, or a refusal) expected after each event and the states at the end. Actions are
 * written short: 'start s1', 'cancel s1', 'preflight s1,s2', 'notify rollout.done', '! code'.
 * A fast-check property then throws random event orders at it and checks the invariants.
 */
import fc from 'fast-check';
import {
  rolloutPlanSchema,
  type RolloutPlanInput,
  type RolloutServerState,
  type RolloutState,
} from '@byoi/shared';
import { describe, expect, it } from 'vitest';
import {
  decide,
  isTerminal,
  plannedRollout,
  type InstallOutcome,
  type PreflightVerdict,
  type RolloutDecision,
  type RolloutEvent,
  type RolloutSnapshot,
} from './scheduler.ts';

// ---- building snapshots and events ----

const FLEET = ['s1', 's2', 's3', 's4', 's5', 's6'];

function fleet(size: number): string[] {
  return FLEET.slice(0, size);
}

/** A planned rollout of the first `size` servers of FLEET. */
function planned(plan: Partial<RolloutPlanInput>, size: number): RolloutSnapshot {
  const parsed = rolloutPlanSchema.parse({ batchSize: 2, maxInFlight: 2, ...plan });
  return plannedRollout(parsed, fleet(size));
}

/** A rollout whose preflight found the image fits every server except `blocked`. */
function ready(
  plan: Partial<RolloutPlanInput>,
  size: number,
  blocked: readonly string[] = [],
): RolloutSnapshot {
  const checking = must(decide(planned(plan, size), { kind: 'check', at: 0 }));
  return must(
    decide(checking, { kind: 'preflightDone', at: 0, verdicts: verdicts(size, blocked) }),
  );
}

function must(decision: RolloutDecision): RolloutSnapshot {
  if (decision.error) throw new Error(decision.error.message);
  return decision.rollout;
}

function verdicts(size: number, blocked: readonly string[]): PreflightVerdict[] {
  return fleet(size).map((server) =>
    blocked.includes(server)
      ? { server, verdict: 'blocked', reason: 'The image needs 8 GiB of RAM; this server has 4.' }
      : { server, verdict: 'ok' },
  );
}

let clock = 0;
const at = () => (clock += 1000);

const check = (): RolloutEvent => ({ kind: 'check', at: at() });
const preflight = (size: number, blocked: string[] = []): RolloutEvent => ({
  kind: 'preflightDone',
  at: at(),
  verdicts: verdicts(size, blocked),
});
const start = (): RolloutEvent => ({ kind: 'start', at: at() });
const pause = (): RolloutEvent => ({ kind: 'pause', at: at() });
const resume = (): RolloutEvent => ({ kind: 'resume', at: at() });
const tick = (): RolloutEvent => ({ kind: 'tick', at: at() });
const abort = (cancelRunning: boolean): RolloutEvent => ({
  kind: 'abort',
  at: at(),
  cancelRunning,
});
const accepted = (server: string): RolloutEvent => ({ kind: 'installStarted', at: at(), server });
const ended = (server: string, outcome: InstallOutcome, message?: string): RolloutEvent => ({
  kind: 'installEnded',
  at: at(),
  server,
  outcome,
  ...(message === undefined ? {} : { message }),
});
const done = (server: string) => ended(server, 'done');
const failed = (server: string) => ended(server, 'failed', 'The image did not boot.');
const refused = (server: string): RolloutEvent => ({
  kind: 'installRefused',
  at: at(),
  server,
  message: 'OVH answered 409: a task is already running on this server.',
});

/** A decision in the table's short words. */
function short(decision: RolloutDecision): string[] {
  if (decision.error) return [`! ${decision.error.code}`];
  return decision.actions.map((action) => {
    switch (action.kind) {
      case 'runPreflight':
        return `preflight ${action.servers.join(',')}`;
      case 'startInstall':
        return `start ${action.server}`;
      case 'cancelInstall':
        return `cancel ${action.server}`;
      case 'notify':
        return `notify ${action.event}`;
    }
  });
}

function serverStates(rollout: RolloutSnapshot): Record<string, RolloutServerState> {
  return Object.fromEntries(rollout.servers.map((s) => [s.name, s.state]));
}

type Step = [event: RolloutEvent, decisions: string[]];
interface End {
  state: RolloutState;
  servers: Record<string, RolloutServerState>;
}

// ---- the table ----

const TABLE: [string, RolloutSnapshot, Step[], End][] = [
  [
    'canary passes, then batches run one after the other',
    ready({ canary: 1, batchSize: 2, maxInFlight: 2 }, 5),
    [
      [start(), ['notify rollout.started', 'start s1']],
      [done('s1'), ['notify rollout.canary_passed', 'start s2', 'start s3']],
      [done('s2'), []],
      [done('s3'), ['start s4', 'start s5']],
      [done('s4'), []],
      [done('s5'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done', s3: 'done', s4: 'done', s5: 'done' } },
  ],
  [
    'a canary failure stops everything, whatever maxFailures; running canaries finish',
    ready({ canary: 2, maxFailures: 5 }, 4),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [failed('s1'), ['notify rollout.canary_failed', 'notify rollout.failed']],
      [done('s2'), []],
      [tick(), []],
    ],
    { state: 'failed', servers: { s1: 'failed', s2: 'done', s3: 'skipped', s4: 'skipped' } },
  ],
  [
    'pauseAfterCanary waits for resume before the batches',
    ready({ canary: 1, pauseAfterCanary: true }, 3),
    [
      [start(), ['notify rollout.started', 'start s1']],
      [done('s1'), ['notify rollout.canary_passed', 'notify rollout.paused']],
      [tick(), []],
      [resume(), ['start s2', 'start s3']],
      [done('s2'), []],
      [done('s3'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done', s3: 'done' } },
  ],
  [
    'canaries that cover the whole fleet end the rollout without a pause',
    ready({ canary: 2, pauseAfterCanary: true }, 2),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [done('s1'), []],
      [done('s2'), ['notify rollout.canary_passed', 'notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done' } },
  ],
  [
    'failures beyond maxFailures mid-batch stop new installs; running ones finish',
    ready({ canary: 0, batchSize: 3, maxInFlight: 3, maxFailures: 1 }, 6),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2', 'start s3']],
      [failed('s1'), []],
      [failed('s2'), ['notify rollout.failed']],
      [done('s3'), []],
    ],
    {
      state: 'failed',
      servers: {
        s1: 'failed',
        s2: 'failed',
        s3: 'done',
        s4: 'skipped',
        s5: 'skipped',
        s6: 'skipped',
      },
    },
  ],
  [
    'failures within maxFailures let the rollout end done',
    ready({ canary: 0, maxFailures: 1 }, 3),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [failed('s1'), []],
      [done('s2'), ['start s3']],
      [done('s3'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'failed', s2: 'done', s3: 'done' } },
  ],
  [
    'maxInFlight below batchSize: a batch runs a few at a time, the next waits for all of it',
    ready({ canary: 0, batchSize: 4, maxInFlight: 2 }, 5),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [done('s1'), ['start s3']],
      [done('s2'), ['start s4']],
      [done('s3'), []],
      [done('s4'), ['start s5']],
      [done('s5'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done', s3: 'done', s4: 'done', s5: 'done' } },
  ],
  [
    'maxInFlight above batchSize: the batch is the limit',
    ready({ canary: 0, batchSize: 2, maxInFlight: 10 }, 3),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [done('s1'), []],
      [done('s2'), ['start s3']],
      [done('s3'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done', s3: 'done' } },
  ],
  [
    'pause stops new installs, running ones finish, resume goes on',
    ready({ canary: 0 }, 4),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [pause(), ['notify rollout.paused']],
      [done('s1'), []],
      [done('s2'), []],
      [resume(), ['start s3', 'start s4']],
      [done('s3'), []],
      [done('s4'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done', s3: 'done', s4: 'done' } },
  ],
  [
    'a paused rollout still fails when failures exceed the threshold',
    ready({ canary: 0 }, 4),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [pause(), ['notify rollout.paused']],
      [failed('s1'), ['notify rollout.failed']],
      [resume(), ['! invalidTransition']],
    ],
    { state: 'failed', servers: { s1: 'failed', s2: 'installing', s3: 'skipped', s4: 'skipped' } },
  ],
  [
    'abort without cancelRunning: pending servers skipped, running installs finish',
    ready({ canary: 0 }, 4),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [abort(false), ['notify rollout.aborted']],
      [done('s1'), []],
      [failed('s2'), []],
      [abort(true), ['! invalidTransition']],
    ],
    { state: 'aborted', servers: { s1: 'done', s2: 'failed', s3: 'skipped', s4: 'skipped' } },
  ],
  [
    'abort with cancelRunning: a cancel per running install, OVH reports each outcome',
    ready({ canary: 0 }, 4),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [abort(true), ['cancel s1', 'cancel s2', 'notify rollout.aborted']],
      [ended('s1', 'cancelled'), []],
      [done('s2'), []],
    ],
    { state: 'aborted', servers: { s1: 'cancelled', s2: 'done', s3: 'skipped', s4: 'skipped' } },
  ],
  [
    'abort before the start skips every server',
    planned({}, 2),
    [
      [check(), ['preflight s1,s2']],
      [abort(true), ['notify rollout.aborted']],
      [preflight(2), ['! invalidTransition']],
    ],
    { state: 'aborted', servers: { s1: 'skipped', s2: 'skipped' } },
  ],
  [
    "blocked servers are left out with onBlocked 'skip'; the canary is the first that fits",
    planned({ canary: 1, onBlocked: 'skip' }, 4),
    [
      [check(), ['preflight s1,s2,s3,s4']],
      [preflight(4, ['s1']), []],
      [start(), ['notify rollout.started', 'start s2']],
      [done('s2'), ['notify rollout.canary_passed', 'start s3', 'start s4']],
      [done('s3'), []],
      [done('s4'), ['notify rollout.done']],
    ],
    { state: 'done', servers: { s1: 'blocked', s2: 'done', s3: 'done', s4: 'done' } },
  ],
  [
    "blocked servers make the rollout refuse to start with onBlocked 'refuse'",
    planned({ onBlocked: 'refuse' }, 3),
    [
      [check(), ['preflight s1,s2,s3']],
      [preflight(3, ['s2']), []],
      [start(), ['! blockedServers']],
      [abort(false), ['notify rollout.aborted']],
    ],
    { state: 'aborted', servers: { s1: 'skipped', s2: 'blocked', s3: 'skipped' } },
  ],
  [
    'a fleet where nothing fits ends done at once when blocked servers are skipped',
    ready({ onBlocked: 'skip' }, 2, ['s1', 's2']),
    [[start(), ['notify rollout.started', 'notify rollout.done']]],
    { state: 'done', servers: { s1: 'blocked', s2: 'blocked' } },
  ],
  [
    'repeated events change nothing and never restart a server',
    ready({ canary: 1, batchSize: 1, maxInFlight: 1 }, 2),
    [
      [start(), ['notify rollout.started', 'start s1']],
      [start(), ['! invalidTransition']],
      [accepted('s1'), []],
      [accepted('s1'), []],
      [done('s1'), ['notify rollout.canary_passed', 'start s2']],
      [done('s1'), []],
      [accepted('s1'), []],
      [tick(), []],
      [failed('s1'), ['! conflictingOutcome']],
      [done('s2'), ['notify rollout.done']],
      [done('s2'), []],
      [tick(), []],
    ],
    { state: 'done', servers: { s1: 'done', s2: 'done' } },
  ],
  [
    'an install OVH refuses counts as a failure and is never retried',
    ready({ canary: 0, maxFailures: 0 }, 3),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [refused('s1'), ['notify rollout.failed']],
      [refused('s1'), []],
      [accepted('s2'), []],
      [refused('s2'), ['! conflictingOutcome']],
      [done('s2'), []],
    ],
    { state: 'failed', servers: { s1: 'failed', s2: 'done', s3: 'skipped' } },
  ],
  [
    'a cancellation at OVH the rollout did not ask for is a failure',
    ready({ canary: 0, maxFailures: 0 }, 3),
    [
      [start(), ['notify rollout.started', 'start s1', 'start s2']],
      [ended('s1', 'cancelled'), ['notify rollout.failed']],
    ],
    { state: 'failed', servers: { s1: 'failed', s2: 'installing', s3: 'skipped' } },
  ],
];

describe('decide: events → decisions', () => {
  it.each(TABLE)('%s', (_description, initial, steps, end) => {
    let rollout = initial;
    const seen = steps.map(([event]) => {
      const decision = decide(rollout, event);
      rollout = decision.rollout;
      return short(decision);
    });
    expect(seen).toEqual(steps.map(([, decisions]) => decisions));
    expect({ state: rollout.state, servers: serverStates(rollout) }).toEqual(end);
  });
});

describe('decide: what the snapshot records', () => {
  it('assigns waves after the preflight: canaries 0, then batches of batchSize', () => {
    const rollout = ready({ canary: 1, batchSize: 2, onBlocked: 'skip' }, 6, ['s2']);
    expect(rollout.servers.map((s) => [s.name, s.state, s.wave])).toEqual([
      ['s1', 'pending', 0],
      ['s2', 'blocked', null],
      ['s3', 'pending', 1],
      ['s4', 'pending', 1],
      ['s5', 'pending', 2],
      ['s6', 'pending', 2],
    ]);
    expect(rollout.servers[1]?.message).toBe('The image needs 8 GiB of RAM; this server has 4.');
  });

  it('records when OVH accepted and ended an install, and the failure message', () => {
    let rollout = must(decide(ready({ canary: 1 }, 2), { kind: 'start', at: 1 }));
    rollout = must(decide(rollout, { kind: 'installStarted', at: 2, server: 's1' }));
    rollout = must(decide(rollout, { kind: 'installStarted', at: 3, server: 's1' }));
    rollout = must(
      decide(rollout, {
        kind: 'installEnded',
        at: 4,
        server: 's1',
        outcome: 'failed',
        message: 'No boot.',
      }),
    );
    expect(rollout.servers[0]).toMatchObject({ startedAt: 2, endedAt: 4, message: 'No boot.' });
    expect(rollout.servers[1]?.message).toBe('Not installed: a canary failed.');
  });

  it('names the blocked servers and the way out when it refuses to start', () => {
    const decision = decide(ready({}, 3, ['s2', 's3']), start());
    expect(decision.error?.message).toBe(
      "The rollout refuses to start: the image cannot fit these 2 servers: s2 (The image needs 8 GiB of RAM; this server has 4.), s3 (The image needs 8 GiB of RAM; this server has 4.). Abort it and plan a new rollout without them, or with onBlocked 'skip' to leave blocked servers out.",
    );
  });

  it('marks the installs an abort asked OVH to cancel', () => {
    const running = must(decide(ready({ canary: 0 }, 3), start()));
    const aborted = must(decide(running, abort(true)));
    expect(aborted.servers.map((s) => s.cancelRequested ?? false)).toEqual([true, true, false]);
  });

  it('never changes the snapshot it is given', () => {
    const rollout = ready({ canary: 0 }, 3);
    const copy = structuredClone(rollout);
    decide(rollout, start());
    expect(rollout).toEqual(copy);
  });
});

// ---- refusals ----

const planned2 = planned({}, 2);
const checking2 = must(decide(planned2, { kind: 'check', at: 0 }));
const ready2 = ready({}, 2);
const running2 = must(decide(ready({ canary: 0 }, 2), { kind: 'start', at: 0 }));
const paused2 = must(decide(running2, { kind: 'pause', at: 0 }));
const done2 = [done('s1'), done('s2')].reduce((r, e) => must(decide(r, e)), running2);

const REFUSALS: [string, RolloutSnapshot, RolloutEvent, string, RegExp][] = [
  [
    'start when planned',
    planned2,
    start(),
    'invalidTransition',
    /is planned, so it cannot be started/,
  ],
  ['start when checking', checking2, start(), 'invalidTransition', /only a ready rollout can/],
  ['start when running', running2, start(), 'invalidTransition', /is running/],
  ['check when ready', ready2, check(), 'invalidTransition', /only a planned rollout can/],
  [
    'preflight verdicts when planned',
    planned2,
    preflight(2),
    'invalidTransition',
    /only a checking/,
  ],
  ['pause when paused', paused2, pause(), 'invalidTransition', /only a running rollout can/],
  ['pause when ready', ready2, pause(), 'invalidTransition', /is ready, so it cannot be paused/],
  ['resume when running', running2, resume(), 'invalidTransition', /only a paused rollout can/],
  ['abort when done', done2, abort(false), 'invalidTransition', /already done/],
  [
    'an install end for a server not in the rollout',
    paused2,
    done('s9'),
    'unknownServer',
    /s9 is not one/,
  ],
  ['an install end for a pending server', ready2, done('s1'), 'invalidTransition', /never started/],
  [
    'an accepted install for a pending server',
    ready2,
    accepted('s2'),
    'invalidTransition',
    /s2 is pending/,
  ],
  [
    'a preflight that misses a server',
    checking2,
    preflight(1),
    'incompletePreflight',
    /no verdict for s2/,
  ],
  [
    'a preflight that judges a server twice',
    checking2,
    {
      kind: 'preflightDone',
      at: 0,
      verdicts: [...verdicts(2, []), { server: 's1', verdict: 'ok' }],
    },
    'incompletePreflight',
    /s1, which is not in the rollout or was already judged/,
  ],
];

describe('decide: invalid transitions', () => {
  it.each(REFUSALS)(
    'refuses %s, changing nothing',
    (_description, rollout, event, code, message) => {
      const decision = decide(rollout, event);
      expect(decision.rollout).toBe(rollout);
      expect(decision.actions).toEqual([]);
      expect(decision.error?.code).toBe(code);
      expect(decision.error?.message).toMatch(message);
      expect(decision.error?.message).toMatch(/\.$/);
    },
  );
});

// ---- random event orders ----

/** An event drawn as data; `pick` chooses a server, among the installing ones when there are any. */
type Draw =
  | { kind: 'installStarted' | 'installRefused' | 'tick' | 'pause' | 'resume' | 'start' | 'check' }
  | { kind: 'installEnded'; outcome: InstallOutcome }
  | { kind: 'abort'; cancelRunning: boolean };

const drawArb: fc.Arbitrary<{ draw: Draw; pick: number }> = fc.record({
  draw: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('installEnded' as const),
        outcome: fc.constantFrom<InstallOutcome>('done', 'done', 'failed', 'cancelled'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Draw>(
        { kind: 'installStarted' },
        { kind: 'installRefused' },
        { kind: 'tick' },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Draw>(
        { kind: 'pause' },
        { kind: 'resume' },
        { kind: 'start' },
        { kind: 'check' },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('abort' as const), cancelRunning: fc.boolean() }),
    },
  ),
  pick: fc.nat(20),
});

function resolve(
  { draw, pick }: { draw: Draw; pick: number },
  rollout: RolloutSnapshot,
  time: number,
): RolloutEvent {
  const installing = rollout.servers.filter((s) => s.state === 'installing');
  const pool = installing.length > 0 && pick % 4 !== 0 ? installing : rollout.servers;
  const server = pool[pick % pool.length]?.name ?? 'nobody';
  switch (draw.kind) {
    case 'installStarted':
      return { kind: 'installStarted', at: time, server };
    case 'installRefused':
      return { kind: 'installRefused', at: time, server, message: 'OVH answered 409.' };
    case 'installEnded':
      return { kind: 'installEnded', at: time, server, outcome: draw.outcome };
    case 'abort':
      return { kind: 'abort', at: time, cancelRunning: draw.cancelRunning };
    default:
      return { kind: draw.kind, at: time };
  }
}

const planArb = fc.record({
  canary: fc.integer({ min: 0, max: 3 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  maxInFlight: fc.integer({ min: 1, max: 4 }),
  maxFailures: fc.integer({ min: 0, max: 2 }),
  pauseAfterCanary: fc.boolean(),
  onBlocked: fc.constantFrom('skip' as const, 'refuse' as const),
});

const SETTLED: readonly RolloutServerState[] = [
  'blocked',
  'done',
  'failed',
  'skipped',
  'cancelled',
];

describe('decide: any order of events', () => {
  it('keeps installs ≤ maxInFlight, in one wave, starts each server at most once, and never leaves an end', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(drawArb, { maxLength: 60 }),
        (plan, size, blockedFlags, draws) => {
          const blocked = fleet(size).filter((_, i) => blockedFlags[i] === true && i % 2 === 0);
          let rollout = plannedRollout(rolloutPlanSchema.parse(plan), fleet(size));
          const events: RolloutEvent[] = [check(), preflight(size, blocked), start()];
          const starts = new Map<string, number>();
          let time = 0;
          for (let i = 0; ; i += 1) {
            const draw = draws[i - 3];
            const event = i < 3 ? events[i] : draw && resolve(draw, rollout, (time += 1));
            if (!event) break;
            const before = rollout;
            const decision = decide(before, event);
            rollout = decision.rollout;

            if (decision.error) expect(rollout).toBe(before);
            if (isTerminal(before.state)) expect(rollout.state).toBe(before.state);
            for (const action of decision.actions) {
              if (action.kind !== 'startInstall') continue;
              starts.set(action.server, (starts.get(action.server) ?? 0) + 1);
              expect(before.servers.find((s) => s.name === action.server)?.state).toBe('pending');
            }
            before.servers.forEach((server, index) => {
              if (SETTLED.includes(server.state)) {
                expect(rollout.servers[index]?.state).toBe(server.state);
              }
            });
            const installing = rollout.servers.filter((s) => s.state === 'installing');
            expect(installing.length).toBeLessThanOrEqual(plan.maxInFlight);
            expect(new Set(installing.map((s) => s.wave)).size).toBeLessThanOrEqual(1);
          }
          for (const count of starts.values()) expect(count).toBe(1);
        },
      ),
      { numRuns: 500, seed: 20261218 },
    );
  });
});
