import { SERVER_LIST_DEFAULTS, SERVER_SORT_FIELDS } from '@byoi/shared';
import type { ServerSortField } from '@byoi/shared';
import {
  Badge,
  FormField,
  FormFieldLabel,
  Icon,
  Input,
  Pagination,
  Table,
} from '@ovhcloud/ods-react';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useServers } from '../../data/servers/hooks.ts';
import type { ServerListParams } from '../../data/servers/keys.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import { useServerSelection } from './useServerSelection.ts';
import './servers.css';

export const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;
/** The BFF refuses a longer search. */
const MAX_SEARCH_LENGTH = 255;
const COLUMN_COUNT = 6;

const SORT_LABELS: Record<ServerSortField, string> = {
  name: 'Name',
  displayName: 'Display name',
  datacenter: 'Datacenter',
  state: 'State',
  os: 'OS',
};

// The console speaks English: "1,000 servers" whatever the browser's locale.
const counted = new Intl.NumberFormat('en');

/** The list as the URL describes it; everything else on the screen follows from it. */
type ListView = Omit<ServerListParams, 'pageSize'>;

/** Anything the URL says that the BFF would refuse falls back to the default. */
function readView(params: URLSearchParams): ListView {
  const page = Number(params.get('page'));
  const sort = params.get('sort');
  const order = params.get('order');
  return {
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    search: (params.get('search') ?? '').slice(0, MAX_SEARCH_LENGTH).trim(),
    sort: SERVER_SORT_FIELDS.find((field) => field === sort) ?? SERVER_LIST_DEFAULTS.sort,
    order: order === 'asc' || order === 'desc' ? order : SERVER_LIST_DEFAULTS.order,
  };
}

/** One spelling per view, defaults left out, so a view has one address. */
function writeView(view: ListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.page > 1) params.set('page', String(view.page));
  if (view.sort !== SERVER_LIST_DEFAULTS.sort) params.set('sort', view.sort);
  if (view.order !== SERVER_LIST_DEFAULTS.order) params.set('order', view.order);
  if (view.search !== '') params.set('search', view.search);
  return params;
}

function stateBadge(state: string) {
  const color = state === 'ok' ? 'success' : state === 'error' ? 'critical' : 'warning';
  return <Badge color={color}>{state}</Badge>;
}

function SortableHeader({
  field,
  view,
  onSort,
  leading,
}: {
  field: ServerSortField;
  view: ListView;
  onSort: (field: ServerSortField) => void;
  /** A control before the sort button (the page's checkbox); the column keeps its label as name. */
  leading?: ReactNode;
}) {
  const direction = view.sort === field ? view.order : null;
  return (
    <th
      scope="col"
      aria-sort={direction === null ? undefined : direction === 'asc' ? 'ascending' : 'descending'}
      aria-label={leading ? SORT_LABELS[field] : undefined}
    >
      {leading}
      <button type="button" className="sort-button" onClick={() => onSort(field)}>
        {SORT_LABELS[field]}
        <Icon
          name={
            direction === null ? 'arrow-up-down' : direction === 'asc' ? 'arrow-up' : 'arrow-down'
          }
          className={direction === null ? 'sort-button__icon--idle' : undefined}
          aria-hidden="true"
        />
        {direction === null ? null : (
          <span className="visually-hidden">
            {direction === 'asc' ? ', sorted ascending' : ', sorted descending'}
          </span>
        )}
      </button>
    </th>
  );
}

/** A checkbox that can say "some": the header's, for the rows on screen. */
function PageCheckbox({
  state,
  onToggle,
}: {
  state: 'all' | 'some' | 'none';
  onToggle: () => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = state === 'some';
  }, [state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select the servers on this page"
      checked={state === 'all'}
      onChange={onToggle}
    />
  );
}

export default function ServersPage() {
  const [params, setParams] = useSearchParams();
  const view = readView(params);
  const canonical = writeView(view).toString();
  const current = params.toString();

  // A bad or non-default spelling in the address is replaced by the one the screen shows.
  useEffect(() => {
    if (current !== canonical) setParams(canonical, { replace: true });
  }, [current, canonical, setParams]);

  function show(next: ListView, options: { replace?: boolean } = {}) {
    setParams(writeView(next), options);
  }

  const [searchText, setSearchText] = useState(view.search);
  const [followedSearch, setFollowedSearch] = useState(view.search);
  if (followedSearch !== view.search) {
    // Back, forward or a link changed the search; the field's own commit already says the same.
    setFollowedSearch(view.search);
    if (searchText.trim() !== view.search) setSearchText(view.search);
  }

  const commitSearch = useEffectEvent((search: string) => {
    if (search === view.search) return;
    // Typing on or deleting back refines one search: one history entry, not one per pause.
    const refining =
      view.search !== '' &&
      search !== '' &&
      (search.startsWith(view.search) || view.search.startsWith(search));
    show({ ...view, search, page: 1 }, { replace: refining });
  });
  useEffect(() => {
    const timer = setTimeout(() => commitSearch(searchText.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText]);

  function sortBy(field: ServerSortField) {
    const order = field === view.sort && view.order === 'asc' ? 'desc' : 'asc';
    show({ ...view, sort: field, order, page: 1 });
  }

  const servers = useServers({ ...view, pageSize: PAGE_SIZE });
  const data = servers.data;
  const lastPage = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const firstShown = data ? (data.page - 1) * data.pageSize + 1 : 0;
  const canOperate = useCanOperate();
  const selection = useServerSelection({
    // The rows on screen answer `data.search`, which may trail the address while a search loads.
    search: data?.search ?? view.search,
    total: data?.total ?? 0,
    pageNames: data?.items.map((server) => server.name) ?? [],
  });

  useEffect(() => {
    document.title = 'Dedicated servers · BYOI Console';
  }, []);

  return (
    <>
      <h1 className="page-title">Dedicated servers</h1>
      <p className="page-lead">
        Pick a server to reinstall it from your own disk image (Bring Your Own Image).
      </p>

      <div className="toolbar">
        <FormField className="toolbar__search">
          <FormFieldLabel htmlFor="server-search">Search by name or display name</FormFieldLabel>
          <Input
            id="server-search"
            type="search"
            value={searchText}
            maxLength={MAX_SEARCH_LENGTH}
            placeholder="ns1234567.ip-…"
            onChange={(event) => setSearchText(event.target.value)}
            clearable
            onClear={() => setSearchText('')}
          />
        </FormField>
        <span className="muted" aria-live="polite">
          {data
            ? `${counted.format(data.total)} server${data.total === 1 ? '' : 's'}${data.search ? ` matching “${data.search}”` : ''}`
            : ''}
        </span>
      </div>

      {servers.isError ? (
        <ErrorMessage error={servers.error} title="Could not list servers." />
      ) : null}

      {canOperate && data && data.search !== '' && data.total > 0 && !selection.allMatching ? (
        <p className="select-matching">
          <button
            type="button"
            className="select-matching__button"
            onClick={selection.selectMatching}
          >
            Select all {counted.format(data.total)} matching
          </button>{' '}
          <span className="muted">
            — the search itself, for a rollout: every server whose name or display name contains “
            {data.search}”.
          </span>
        </p>
      ) : null}

      <div className="table-wrap">
        <Table
          aria-busy={servers.isFetching}
          aria-label="Dedicated servers"
          className="servers-table"
        >
          <thead>
            <tr>
              {SERVER_SORT_FIELDS.map((field) => (
                <SortableHeader
                  key={field}
                  field={field}
                  view={view}
                  onSort={sortBy}
                  leading={
                    canOperate && field === 'name' && data && data.items.length > 0 ? (
                      <span className="row-select row-select--header">
                        <PageCheckbox state={selection.page} onToggle={selection.togglePage} />
                      </span>
                    ) : undefined
                  }
                />
              ))}
              <th scope="col">Installation</th>
            </tr>
          </thead>
          <tbody>
            {servers.isPending ? <SkeletonRows rows={5} columns={COLUMN_COUNT} /> : null}
            {data?.items.map((server) => (
              <tr key={server.name}>
                <th scope="row" className="cell-name">
                  <span className="row-select">
                    {canOperate ? (
                      <input
                        type="checkbox"
                        aria-label={`Select ${server.name}`}
                        checked={selection.isSelected(server.name)}
                        onChange={() => selection.toggle(server.name)}
                      />
                    ) : null}
                    <RouterLink to={`/servers/${encodeURIComponent(server.name)}`}>
                      {server.name}
                    </RouterLink>
                  </span>
                </th>
                <td>{server.displayName}</td>
                <td>{server.datacenter}</td>
                <td>{stateBadge(server.state)}</td>
                <td>{server.os}</td>
                <td>
                  {server.installing ? (
                    // The same judgement as the server page's; the list polls while a row says it.
                    <RouterLink
                      to={`/servers/${encodeURIComponent(server.name)}/install/progress`}
                      title={`Follow the installation on ${server.name}`}
                    >
                      <Badge color="information">Installing</Badge>
                    </RouterLink>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
            {data && data.items.length === 0 ? (
              <tr>
                <td colSpan={COLUMN_COUNT}>
                  {data.total > 0 ? (
                    <>
                      There is no page {counted.format(data.page)}: the list has{' '}
                      {counted.format(lastPage)} page{lastPage === 1 ? '' : 's'}.{' '}
                      <RouterLink to={{ search: writeView({ ...view, page: 1 }).toString() }}>
                        Go to the first page
                      </RouterLink>
                    </>
                  ) : data.search ? (
                    `No server name or display name contains “${data.search}”. Check the spelling or clear the search.`
                  ) : (
                    'This account has no dedicated servers.'
                  )}
                </td>
              </tr>
            ) : null}
          </tbody>
        </Table>
      </div>

      {data && data.total > PAGE_SIZE ? (
        <div className="table-footer">
          <span className="muted">
            {data.items.length > 0
              ? `Showing ${counted.format(firstShown)}–${counted.format(firstShown + data.items.length - 1)} of ${counted.format(data.total)}`
              : null}
          </span>
          <Pagination
            aria-label="Pages"
            page={Math.min(view.page, lastPage)}
            pageSize={PAGE_SIZE}
            totalItems={data.total}
            onPageChange={({ page }) => show({ ...view, page })}
          />
        </div>
      ) : null}

      {canOperate && selection.selection ? (
        <SelectionBar
          selection={selection.selection}
          count={selection.count}
          onClear={selection.clear}
        />
      ) : null}
    </>
  );
}
