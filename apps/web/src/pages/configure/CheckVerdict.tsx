import type { ByoiFormInput } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';
import type { ImageCheckState } from './imageCheck.ts';
import { preflightRequestOf, signatureOf, verdictSentence } from './imageCheck.ts';

const HEADLINE = {
  pass: { color: 'success', label: 'Image check passed' },
  warn: { color: 'warning', label: 'Image check: warnings' },
  fail: { color: 'critical', label: 'Image check failed' },
} as const;

/** Beside Confirm: what the last Check image / Verify checksum said about the image as now typed. */
export function CheckVerdict({ state, values }: { state: ImageCheckState; values: ByoiFormInput }) {
  const signature = signatureOf(preflightRequestOf(values, ''));
  const { report, verify } = state;
  return (
    <div className="check-verdict" role="status" aria-label="Last image check">
      {report ? (
        <p>
          <Badge color={HEADLINE[report.report.verdict].color}>
            {HEADLINE[report.report.verdict].label}
          </Badge>{' '}
          {report.signature === signature
            ? verdictSentence(report.report)
            : 'The image fields changed since the last check: run Check image again.'}
          {report.signature === signature && report.report.predictedMessage ? (
            <>
              {' '}
              OVH would answer: <span className="verbatim">{report.report.predictedMessage}</span>
            </>
          ) : null}{' '}
          <span className="muted">
            (checked at {new Date(report.report.checkedAt).toLocaleTimeString()})
          </span>
        </p>
      ) : (
        <p className="muted">
          The image has not been checked. Check image (above) predicts OVH&apos;s failures before
          the server is wiped.
        </p>
      )}
      {verify && verify.signature === signature ? (
        <p>
          <Badge color={verify.result.match ? 'success' : 'critical'}>
            {verify.result.match ? 'Checksum verified' : 'Checksum mismatch'}
          </Badge>{' '}
          {verify.result.match
            ? `The ${verify.result.algorithm} of the downloaded image matches.`
            : (verify.result.predictedMessage ?? `The ${verify.result.algorithm} does not match.`)}
        </p>
      ) : null}
    </div>
  );
}
