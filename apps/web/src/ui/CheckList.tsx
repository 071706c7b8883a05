import type { PreflightCheck } from '@byoi/shared';
import { RichText } from './RichText.tsx';
import { StatusBadge } from './VerdictBadge.tsx';

/** One row: a preflight check, or a check of the same shape (what Verify checksum found). */
export type CheckRow = Pick<
  PreflightCheck,
  'status' | 'title' | 'sentence' | 'predictedMessage' | 'remedy'
> & {
  id: string;
  /** Tells apart rows of one id from two sources. */
  source?: string;
};

/** The checks as rows: status, what was looked at, OVH's predicted answer and the remedy. */
export function CheckList({ checks, label }: { checks: readonly CheckRow[]; label: string }) {
  return (
    <ul className="checks" aria-label={label}>
      {checks.map((check) => (
        <li key={`${check.source ?? 'check'}-${check.id}`} className="checks__item">
          <span className="checks__status">
            <StatusBadge status={check.status} />
          </span>
          <div>
            <strong className="checks__title">{check.title}</strong>
            <p className="checks__sentence">
              <RichText text={check.sentence} />
            </p>
            {check.predictedMessage ? (
              <p className="checks__predicted">
                OVH would answer: <span className="verbatim">{check.predictedMessage}</span>
              </p>
            ) : null}
            {check.remedy ? (
              <p className="checks__remedy">
                How to fix it: <RichText text={check.remedy} />
              </p>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
