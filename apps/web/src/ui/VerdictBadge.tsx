import type { LibraryImageCheckDto } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';

const VERDICT: Record<
  LibraryImageCheckDto['verdict'],
  { label: string; color: 'success' | 'warning' | 'critical' | 'neutral' }
> = {
  pass: { label: 'Pass', color: 'success' },
  warn: { label: 'Warning', color: 'warning' },
  fail: { label: 'Fail', color: 'critical' },
  skipped: { label: 'Skipped', color: 'neutral' },
};

/** The last check of a library image version, or that none was run. */
export function VerdictBadge({ check }: { check: LibraryImageCheckDto | null }) {
  if (check === null) return <Badge color="neutral">Not checked</Badge>;
  const { label, color } = VERDICT[check.verdict];
  return <Badge color={color}>{label}</Badge>;
}
