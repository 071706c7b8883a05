import type { AuditEntryDto } from '@byoi/shared';
import { Button, Icon, Message, MessageBody, MessageIcon, Table } from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { useAuditPage } from '../../data/audit/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { AuditDetails, entryAnchor, formatMoment, OutcomeBadge } from './AuditDetails.tsx';
import { AuditFiltersForm } from './AuditFiltersForm.tsx';
import {
  AUDIT_PAGE_SIZE,
  filtersOf,
  hasFilters,
  readView,
  toQuery,
  writeView,
  type AuditFilters,
  type AuditView,
} from './auditView.ts';
import './audit.css';

const COLUMN_COUNT = 8;

/** The route with the server's name folded: the Server column already says which one. */
function routeOf(entry: AuditEntryDto): string | null {
  if (entry.method === undefined || entry.route === undefined) return null;
  const route = entry.server
    ? entry.route
        .replace(`/${encodeURIComponent(entry.server)}`, '/:sn')
        .replace(`/${entry.server}`, '/:sn')
    : entry.route;
  return `${entry.method} ${route}${entry.status !== undefined ? ` → ${entry.status}` : ''}`;
}

export default function AuditPage() {
  const canOperate = useCanOperate();
  const [params, setParams] = useSearchParams();
  const view = readView(params);
  const canonical = writeView(view).toString();
  const current = params.toString();

  // A bad or non-canonical spelling in the address is replaced by the one the screen shows.
  useEffect(() => {
    if (current !== canonical) setParams(canonical, { replace: true });
  }, [current, canonical, setParams]);

  // Viewers are refused by the BFF anyway; not asking keeps a refusal out of the audit log.
  const audit = useAuditPage(toQuery(view), { enabled: canOperate });

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

  function show(next: AuditView) {
    setParams(writeView(next));
  }
  function applyFilters(filters: AuditFilters) {
    show({ ...filters, cursor: '' });
  }

  const data = audit.data;
  const entries = data?.entries ?? [];
  const onPage = new Set(entries.map((e) => e.id));
  const filtered = hasFilters(view);
  const filters = filtersOf(view);

  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Dedicated servers', to: '/servers' }, { label: 'Audit log' }]}
      />
      <h1 className="page-title">Audit log</h1>
      <p className="page-lead">
        Sign-ins, checks, installs and how they ended, cancels and refusals, newest first. Header
        values and user data are never written, only their SHA-256.
      </p>
      <AuditFiltersForm
        key={writeView(filters).toString()}
        filters={filters}
        onApply={applyFilters}
      />
      <div className="toolbar">
        <span className="muted" aria-live="polite">
          {data
            ? `${entries.length === 0 ? 'No' : entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${filtered ? ' matching the filters' : ''}${view.cursor ? ' on this page' : ''}.`
            : ''}
        </span>
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
        <Table
          aria-label="Audit log"
          aria-busy={audit.isFetching}
          className="stack-table audit-table"
        >
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
            {audit.isPending ? <SkeletonRows rows={4} columns={COLUMN_COUNT} /> : null}
            {entries.map((entry) => (
              <tr key={entry.id} id={entryAnchor(entry.id)}>
                <td data-label="Time" className="nowrap">
                  <time dateTime={entry.time}>{formatMoment(entry.time)}</time>
                </td>
                <td data-label="Event">{entry.event}</td>
                <td data-label="Outcome">
                  <OutcomeBadge outcome={entry.outcome} />
                </td>
                <td data-label="User" className="nowrap">
                  {entry.user ?? <span className="muted">unknown</span>}
                  {entry.role ? <span className="cell-sub">{entry.role}</span> : null}
                </td>
                <td data-label="From" className="mono-cell">
                  {entry.ip ?? '—'}
                </td>
                <td data-label="Server" className="mono-cell">
                  {entry.server ?? '—'}
                </td>
                <td data-label="Request" className="mono-cell">
                  {routeOf(entry) ?? '—'}
                </td>
                <td data-label="Details" className="cell-details">
                  <AuditDetails entry={entry} onPage={onPage} />
                </td>
              </tr>
            ))}
            {data && entries.length === 0 ? (
              <tr>
                <td colSpan={COLUMN_COUNT}>
                  {filtered
                    ? 'Nothing matches these filters. Widen the time range or clear the filters.'
                    : view.cursor
                      ? 'Nothing more on this side of the log.'
                      : 'Nothing recorded yet: sign-ins, checks and installs appear here.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </Table>
      </div>
      {data && (data.prevCursor || data.nextCursor) ? (
        <nav className="table-footer audit-pages" aria-label="Audit log pages">
          <span className="muted">{AUDIT_PAGE_SIZE} entries a page</span>
          <div className="audit-pages__buttons">
            <Button
              variant="outline"
              size="sm"
              disabled={!view.cursor}
              onClick={() => show({ ...view, cursor: '' })}
            >
              Newest
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={data.prevCursor === null}
              onClick={() => data.prevCursor && show({ ...view, cursor: data.prevCursor })}
            >
              <Icon name="chevron-left" /> Previous page
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={data.nextCursor === null}
              onClick={() => data.nextCursor && show({ ...view, cursor: data.nextCursor })}
            >
              Next page <Icon name="chevron-right" />
            </Button>
          </div>
        </nav>
      ) : null}
    </>
  );
}
