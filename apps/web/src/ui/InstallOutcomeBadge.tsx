import type { InstallRecordOutcome } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';

const OUTCOME: Record<
  InstallRecordOutcome,
  { label: string; color: 'information' | 'success' | 'critical' | 'warning' | 'neutral' }
> = {
  running: { label: 'Running', color: 'information' },
  done: { label: 'Done', color: 'success' },
  failed: { label: 'Failed', color: 'critical' },
  cancelled: { label: 'Cancelled', color: 'warning' },
  unknown: { label: 'Unknown', color: 'neutral' },
};

/** How an install the console started ended, as the history and the library say it. */
export function InstallOutcomeBadge({ outcome }: { outcome: InstallRecordOutcome }) {
  const { label, color } = OUTCOME[outcome];
  return (
    <Badge
      color={color}
      title={
        outcome === 'unknown' ? 'OVH no longer knows this task: its end was not learnt' : undefined
      }
    >
      {label}
    </Badge>
  );
}
