import type { RolloutServerState } from '@byoi/shared';

/** What the operator types to start: the number of servers that will really be installed. */
export function startPhrase(count: number): string {
  return `reinstall ${count} server${count === 1 ? '' : 's'}`;
}

export const SERVER_STATE_LABEL: Record<RolloutServerState, string> = {
  pending: 'Pending',
  installing: 'Installing',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  blocked: 'Blocked',
  cancelled: 'Cancelled',
};

/** The grid's order: what needs the operator's eyes first. */
export const GRID_ORDER: readonly RolloutServerState[] = [
  'failed',
  'installing',
  'pending',
  'done',
  'skipped',
  'blocked',
  'cancelled',
];

/** The counts' order: the way a server goes. */
export const COUNT_ORDER: readonly RolloutServerState[] = [
  'pending',
  'installing',
  'done',
  'failed',
  'skipped',
  'blocked',
  'cancelled',
];
