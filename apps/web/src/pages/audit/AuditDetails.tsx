/**
 * One audit entry in words: what an install's outcome was and which submit it belongs to, what a
 * failed check predicted, what the operator acknowledged, how many refusals an address made. Never
 * a secret: the BFF sends header values and user data only as digests, and those are not shown.
 */
import type { AuditEntryDto, AuditOutcome } from '@byoi/shared';
import { Badge } from '@ovhcloud/ods-react';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { writeView } from './auditView.ts';

type BadgeColor = 'critical' | 'information' | 'neutral' | 'success' | 'warning';

export const OUTCOME_COLOR: Record<AuditOutcome, BadgeColor> = {
  success: 'success',
  done: 'success',
  failure: 'critical',
  failed: 'critical',
  refused: 'warning',
  submitted: 'information',
  cancelled: 'neutral',
};

export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  return <Badge color={OUTCOME_COLOR[outcome]}>{outcome}</Badge>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** A moment in the operator's locale and time zone; text that is not a date as it is. */
export function formatMoment(iso: string, format: Intl.DateTimeFormat = dateTime): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format.format(date);
}

export const entryAnchor = (id: string) => `audit-${id}`;

const OUTCOME_WORDS: Partial<Record<AuditOutcome, string>> = {
  done: 'finished',
  failed: 'failed',
  cancelled: 'was cancelled',
};

function SubmitLink({ entry, onPage }: { entry: AuditEntryDto; onPage: ReadonlySet<string> }) {
  const id = entry.relatesTo;
  if (id === undefined) return null;
  if (onPage.has(id)) return <a href={`#${entryAnchor(id)}`}>See its submit</a>;
  // Not on this page: the newest submit on that server up to this outcome is the one.
  const search = writeView({
    server: entry.server ?? '',
    event: 'install',
    outcome: 'submitted',
    to: new Date(Date.parse(entry.time) + 1).toISOString(),
  }).toString();
  return <RouterLink to={{ pathname: '/audit', search }}>Find its submit</RouterLink>;
}

function InstallOutcome({ entry, onPage }: { entry: AuditEntryDto; onPage: ReadonlySet<string> }) {
  const task = entry.taskId === undefined ? 'Install' : `Install #task ${entry.taskId}`;
  return (
    <>
      <span className="audit-sentence">
        {task} {OUTCOME_WORDS[entry.outcome] ?? entry.outcome}
        {entry.message ? (
          <>
            : <span className="audit-quote">“{entry.message}”</span>
          </>
        ) : (
          '.'
        )}
      </span>
      <span className="cell-sub">
        {entry.learnedFrom === 'watch'
          ? 'Seen by the console’s watch of the install. '
          : 'Seen on a progress read. '}
        <SubmitLink entry={entry} onPage={onPage} />
      </span>
    </>
  );
}

function RefusalCount({ entry }: { entry: AuditEntryDto }) {
  const count = entry.count ?? 1;
  const span =
    entry.firstTime && entry.firstTime !== entry.time
      ? ` (${formatMoment(entry.firstTime, clock)}–${formatMoment(entry.time, clock)})`
      : '';
  return (
    <>
      <span className="audit-sentence">
        {count} refusal{count === 1 ? '' : 's'} from {entry.ip ?? 'many addresses'} in this minute
        {span}, without a session.
      </span>
      {entry.samples?.length ? (
        <span className="cell-sub">For example: {entry.samples.join(', ')}</span>
      ) : null}
    </>
  );
}

/** The facts of a request entry that matter to a reader. */
function requestFacts(entry: AuditEntryDto): string[] {
  const parts: string[] = [];
  if (entry.imageURL) parts.push(entry.imageURL);
  if (entry.imageType) parts.push(entry.imageType);
  if (entry.imageCheckSumType) parts.push(`${entry.imageCheckSumType} checksum`);
  if (entry.httpHeaders?.length) {
    parts.push(`headers: ${entry.httpHeaders.map((h) => h.name).join(', ')}`);
  }
  if (entry.outcome === 'submitted' && entry.taskId !== undefined) {
    parts.push(`submitted to OVH as task ${entry.taskId}`);
  } else if (entry.taskId !== undefined) {
    parts.push(`task ${entry.taskId}`);
  }
  if (entry.replayed) parts.push('replayed');
  if (entry.code) parts.push(entry.code);
  return parts;
}

export function AuditDetails({
  entry,
  onPage,
}: {
  entry: AuditEntryDto;
  /** Ids of the entries on the page, to link an outcome to its submit in place. */
  onPage: ReadonlySet<string>;
}) {
  if (entry.relatesTo !== undefined) return <InstallOutcome entry={entry} onPage={onPage} />;
  if (entry.count !== undefined) return <RefusalCount entry={entry} />;
  const facts = requestFacts(entry);
  return (
    <>
      {entry.imageId ? (
        <span>
          Library image{' '}
          <RouterLink to={`/images/${encodeURIComponent(entry.imageId)}`}>
            {entry.imageName ?? entry.imageId}
            {entry.imageVersion !== undefined ? ` v${entry.imageVersion}` : ''}
          </RouterLink>
        </span>
      ) : null}
      {facts.length > 0 ? <span>{facts.join(' · ')}</span> : null}
      {entry.failedChecks?.length ? (
        <span className="audit-sentence">
          Failed checks: {entry.failedChecks.join(', ')}
          {entry.message ? (
            <>
              {' '}
              — OVH would answer <span className="audit-quote">“{entry.message}”</span>
            </>
          ) : null}
        </span>
      ) : null}
      {entry.acknowledged ? (
        <span className="audit-sentence audit-acknowledged">
          Installed despite a failed check, acknowledging{' '}
          <span className="audit-quote">“{entry.acknowledged.predictedMessage}”</span>
        </span>
      ) : null}
    </>
  );
}
