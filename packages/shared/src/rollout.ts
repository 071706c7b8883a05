/**
 * Fleet rollouts: a reinstall of many servers in waves (canaries, then batches). The plan schema
 * is the one guard for the web form and the BFF; the state names are the vocabulary the BFF's
 * scheduler, its store and the screens share.
 */
import { z } from 'zod';
import { objectMessages } from './form.ts';

export const ROLLOUT_STATES = [
  'planned',
  'checking',
  'ready',
  'running',
  'paused',
  'done',
  'failed',
  'aborted',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** A rollout in one of these states never leaves it. */
export const TERMINAL_ROLLOUT_STATES = [
  'done',
  'failed',
  'aborted',
] as const satisfies readonly RolloutState[];

export const ROLLOUT_SERVER_STATES = [
  'pending',
  'blocked',
  'installing',
  'done',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type RolloutServerState = (typeof ROLLOUT_SERVER_STATES)[number];

/** What the rollout does with servers the preflight says the image cannot fit. */
export const ROLLOUT_ON_BLOCKED = ['skip', 'refuse'] as const;
export type RolloutOnBlocked = (typeof ROLLOUT_ON_BLOCKED)[number];

/** The webhook events a rollout sends. */
export const ROLLOUT_NOTIFICATIONS = [
  'rollout.started',
  'canary.passed',
  'canary.failed',
  'rollout.paused',
  'rollout.failed',
  'rollout.done',
  'rollout.aborted',
] as const;
export type RolloutNotification = (typeof ROLLOUT_NOTIFICATIONS)[number];

export const MAX_CANARY = 100;
export const MAX_IN_FLIGHT = 100;
export const DEFAULT_CANARY = 1;

export const ROLLOUT_PLAN_FIELDS = [
  'canary',
  'batchSize',
  'maxInFlight',
  'maxFailures',
  'pauseAfterCanary',
  'onBlocked',
] as const;

/** A whole-number field of the plan; every message ends with `fix`: what the field means. */
function count(field: string, min: number, max: number | undefined, fix: string) {
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
  const message = `plan.${field} must be a whole number ${range}: ${fix}`;
  const number = z.number({ error: message }).int(message).min(min, message);
  return max === undefined ? number : number.max(max, message);
}

export const rolloutPlanSchema = z.strictObject(
  {
    canary: count(
      'canary',
      0,
      MAX_CANARY,
      `how many servers are installed first, alone, before any batch (${DEFAULT_CANARY} if left out; 0 for no canary).`,
    ).default(DEFAULT_CANARY),
    batchSize: count(
      'batchSize',
      1,
      undefined,
      'how many servers make one batch after the canaries, e.g. 5. A batch starts only once the previous one has ended.',
    ),
    maxInFlight: count(
      'maxInFlight',
      1,
      MAX_IN_FLIGHT,
      `how many installs may run at the same time, e.g. 5. It may exceed batchSize, but no more than one batch ever runs at once, so the smaller of the two applies.`,
    ),
    maxFailures: count(
      'maxFailures',
      0,
      undefined,
      'how many servers may fail before the rollout stops starting installs (0 if left out: the first failure stops it).',
    ).default(0),
    pauseAfterCanary: z
      .boolean({
        error:
          'plan.pauseAfterCanary must be true (wait for your approval once the canaries are installed) or false (go on to the batches); false if left out.',
      })
      .default(false),
    onBlocked: z
      .enum(ROLLOUT_ON_BLOCKED, {
        error:
          "plan.onBlocked must be 'skip' (leave out the servers the image cannot fit, listed with the reason) or 'refuse' (do not start while any server is blocked); 'refuse' if left out.",
      })
      .default('refuse'),
  },
  { error: objectMessages('plan', ROLLOUT_PLAN_FIELDS) },
);

export type RolloutPlan = z.output<typeof rolloutPlanSchema>;
/** The plan as a client sends it: defaulted fields may be left out. */
export type RolloutPlanInput = z.input<typeof rolloutPlanSchema>;

/**
 * What a valid plan will do that the operator may not expect, as sentences for the form to show
 * beside it (not errors: the plan is accepted as it is).
 */
export function rolloutPlanNotes(plan: RolloutPlan, serverCount: number): string[] {
  const notes: string[] = [];
  if (plan.maxInFlight > plan.batchSize) {
    notes.push(
      `maxInFlight (${plan.maxInFlight}) is larger than batchSize (${plan.batchSize}): at most ${plan.batchSize} installs run at once after the canaries, since a batch starts only once the previous one has ended.`,
    );
  }
  if (plan.canary > plan.maxInFlight) {
    notes.push(
      `canary (${plan.canary}) is larger than maxInFlight (${plan.maxInFlight}): the canaries are installed ${plan.maxInFlight} at a time.`,
    );
  }
  if (serverCount > 0 && plan.canary >= serverCount) {
    notes.push(
      `canary (${plan.canary}) covers all ${serverCount} servers: every server is a canary and no batch follows.`,
    );
  }
  if (plan.canary === 0 && plan.pauseAfterCanary) {
    notes.push('pauseAfterCanary has no effect with canary 0: there is no canary to wait for.');
  }
  return notes;
}
