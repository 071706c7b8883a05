import { TERMINAL_ROLLOUT_STATES } from '@byoi/shared';
import type { RolloutDetailDto, RolloutState } from '@byoi/shared';

export function isTerminal(state: RolloutState): boolean {
  return (TERMINAL_ROLLOUT_STATES as readonly RolloutState[]).includes(state);
}

/**
 * Whether the rollout page still has something to learn: an install may still be running at OVH
 * after an abort, so "terminal" alone is not the end of the story.
 */
export function isRolloutSettled(rollout: RolloutDetailDto | undefined): boolean {
  return rollout !== undefined && isTerminal(rollout.state) && rollout.counts.installing === 0;
}
