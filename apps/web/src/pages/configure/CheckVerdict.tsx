import { Badge } from '@ovhcloud/ods-react';
import type { ImageVerdict } from './imageCheck.ts';

const BADGE = {
  pass: { color: 'success', label: 'Image check passed' },
  warn: { color: 'warning', label: 'Image check: warnings' },
  fail: { color: 'critical', label: 'Image check failed' },
  unchecked: { color: 'neutral', label: 'Not checked' },
} as const;

/** The "Install anyway" label: names the failure the operator accepts, in OVH's words if known. */
export function acknowledgementLabel(failure: NonNullable<ImageVerdict['failure']>): string {
  return failure.fromOvh
    ? `Install anyway: OVH will most likely answer “${failure.message}”`
    : `Install anyway, although the ${failure.checkTitle} check failed: “${failure.message}”`;
}

/**
 * Beside Confirm: the one verdict on the image as now typed and, when it fails, the explicit
 * acknowledgement Confirm waits for.
 */
export function CheckVerdict({
  verdict,
  acknowledged,
  onAcknowledge,
}: {
  verdict: ImageVerdict;
  acknowledged: boolean;
  onAcknowledge: (on: boolean) => void;
}) {
  const badge =
    verdict.status === 'pass' && !verdict.ran.preflight
      ? { color: 'success' as const, label: 'Checksum verified' }
      : BADGE[verdict.status];
  const failure = verdict.failure;
  return (
    <div className="check-verdict">
      <div role="status" aria-label="Last image check">
        <p>
          <Badge color={badge.color}>{badge.label}</Badge> {verdict.headline}
          {failure?.fromOvh ? (
            <>
              {' '}
              OVH would answer: <span className="verbatim">{failure.message}</span>
            </>
          ) : null}
          {verdict.checkedAt ? (
            <>
              {' '}
              <span className="muted">
                (checked at {new Date(verdict.checkedAt).toLocaleTimeString()})
              </span>
            </>
          ) : null}
        </p>
      </div>
      {failure ? (
        <label className="acknowledge">
          <input
            type="checkbox"
            checked={acknowledged}
            onChange={(event) => onAcknowledge(event.target.checked)}
          />
          <span>{acknowledgementLabel(failure)}</span>
        </label>
      ) : null}
    </div>
  );
}
