import type { AuditEntryDto } from '@byoi/shared';
import { Badge, Button, Icon, Message, MessageBody, MessageIcon, Table } from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { useAudit } from '../../data/audit/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';

export const AUDIT_LIMIT = 200;

const OUTCOME_COLOR = {
  success: 'success',
  failure: 'critical',
  refused: 'warning',
} as const;

/** The facts of one entry that matter to a reader, in words; never a secret (the BFF sends none). */
function details(entry: AuditEntryDto): string {
  const parts: string[] = [];
  if (entry.imageURL) parts.push(entry.imageURL);
  if (entry.imageType) parts.push(entry.imageType);
  if (entry.imageCheckSumType) parts.push(`${entry.imageCheckSumType} checksum`);
  if (entry.httpHeaders?.length) {
    parts.push(`headers: ${entry.httpHeaders.map((h) => h.name).join(', ')}`);
  }
  if (entry.taskId !== undefined) parts.push(`task ${entry.taskId}`);
  if (entry.replayed) parts.push('replayed');
  if (entry.code) parts.push(entry.code);
  return parts.join(' · ');
}

/** The route with the server's name folded: the Server column already says which one. */
function routeOf(entry: AuditEntryDto): string {
  if (!entry.server) return entry.route;
  return entry.route
    .replace(`/${encodeURIComponent(entry.server)}`, '/:sn')
    .replace(`/${entry.server}`, '/:sn');
}

export default function AuditPage() {
  const canOperate = useCanOperate();
  // Viewers are refused by the BFF anyway; not asking keeps a refusal out of the audit log.
  const audit = useAudit(AUDIT_LIMIT, { enabled: canOperate });

  useEffect(() => {
    document.title = 'Audit log · BYOI Console';
  }, []);

  if (!canOperate) {
    return (
      <>
        <h1 className="page-title">Audit log</h1>
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            The audit log is for operators. Ask an operator to read it for you.
          </MessageBody>
        </Message>
      </>
    );
  }

  const entries = audit.data?.entries ?? [];
  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Dedicated servers', to: '/servers' }, { label: 'Audit log' }]}
      />
      <h1 className="page-title">Audit log</h1>
      <div className="toolbar">
        <p className="page-lead">
          The latest {AUDIT_LIMIT} sign-ins, checks, installs, cancels and refusals, newest first.
          Header values and user data are never written, only their SHA-256.
        </p>
        <Button
          variant="outline"
          size="sm"
          loading={audit.isFetching}
          disabled={audit.isFetching}
          onClick={() => void audit.refetch()}
        >
          <Icon name="refresh" /> Refresh
        </Button>
      </div>
      {audit.isError ? (
        <ErrorMessage error={audit.error} title="Could not read the audit log." />
      ) : null}
      <div className="table-wrap">
        <Table aria-label="Audit log" aria-busy={audit.isFetching}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Outcome</th>
              <th scope="col">User</th>
              <th scope="col">From</th>
              <th scope="col">Server</th>
              <th scope="col">Request</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {audit.isPending ? <SkeletonRows rows={4} columns={8} /> : null}
            {entries.map((entry, index) => (
              <tr key={`${entry.time}-${index}`}>
                <td className="nowrap">
                  <time dateTime={entry.time}>{new Date(entry.time).toLocaleString()}</time>
                </td>
                <td>{entry.event}</td>
                <td>
                  <Badge color={OUTCOME_COLOR[entry.outcome]}>{entry.outcome}</Badge>
                </td>
                <td>
                  {entry.user ?? <span className="muted">unknown</span>}
                  {entry.role ? <span className="cell-sub">{entry.role}</span> : null}
                </td>
                <td className="mono-cell">{entry.ip ?? '—'}</td>
                <td className="mono-cell">{entry.server ?? '—'}</td>
                <td className="mono-cell">
                  {entry.method} {routeOf(entry)} → {entry.status}
                </td>
                <td className="cell-details">{details(entry)}</td>
              </tr>
            ))}
            {audit.data && entries.length === 0 ? (
              <tr>
                <td colSpan={8}>
                  Nothing recorded yet: sign-ins, checks and installs appear here.
                </td>
              </tr>
            ) : null}
          </tbody>
        </Table>
      </div>
    </>
  );
}
