import type { LibraryImageCheckDto, PreflightVerdict } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';

const VERDICT: Record<
  PreflightVerdict,
  { label: string; color: 'success' | 'warning' | 'critical' | 'neutral' }
> = {
  pass: { label: 'Pass', color: 'success' },
  warn: { label: 'Warning', color: 'warning' },
  fail: { label: 'Fail', color: 'critical' },
  skipped: { label: 'Skipped', color: 'neutral' },
};

/** A preflight verdict (a check's, an image's) as a badge: Pass, Warning, Fail, Skipped. */
export function StatusBadge({ status }: { status: PreflightVerdict }) {
  const { label, color } = VERDICT[status];
  return <Badge color={color}>{label}</Badge>;
}

/** The last check of a library image version, or that none was run. */
export function VerdictBadge({ check }: { check: LibraryImageCheckDto | null }) {
  if (check === null) return <Badge color="neutral">Not checked</Badge>;
  return <StatusBadge status={check.verdict} />;
}
