import type { RolloutState } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';

const STATE: Record<
  RolloutState,
  { label: string; color: 'information' | 'success' | 'critical' | 'warning' | 'neutral' }
> = {
  planned: { label: 'Planned', color: 'neutral' },
  checking: { label: 'Checking', color: 'information' },
  ready: { label: 'Ready', color: 'information' },
  running: { label: 'Running', color: 'information' },
  paused: { label: 'Paused', color: 'warning' },
  done: { label: 'Done', color: 'success' },
  failed: { label: 'Failed', color: 'critical' },
  aborted: { label: 'Aborted', color: 'warning' },
};

/** A rollout's state, as the history and the rollout page say it. */
export function RolloutStateBadge({ state }: { state: RolloutState }) {
  const { label, color } = STATE[state];
  return <Badge color={color}>{label}</Badge>;
}
