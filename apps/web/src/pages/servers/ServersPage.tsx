import { Badge, FormField, FormFieldLabel, Input, Pagination, Table } from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useServers } from '../../data/servers/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { useDebouncedValue } from '../../ui/useDebouncedValue.ts';

export const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;

function stateBadge(state: string) {
  const color = state === 'ok' ? 'success' : state === 'error' ? 'critical' : 'warning';
  return <Badge color={color}>{state}</Badge>;
}

export default function ServersPage() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const urlSearch = params.get('search') ?? '';
  const [searchText, setSearchText] = useState(urlSearch);
  const search = useDebouncedValue(searchText.trim(), SEARCH_DEBOUNCE_MS);

  // The URL holds the search and page so a reload or a shared link shows the same rows.
  useEffect(() => {
    if (search === urlSearch) return;
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (search) next.set('search', search);
        else next.delete('search');
        next.delete('page');
        return next;
      },
      { replace: true },
    );
  }, [search, urlSearch, setParams]);

  const servers = useServers({ page, pageSize: PAGE_SIZE, search: urlSearch });
  const data = servers.data;

  useEffect(() => {
    document.title = 'Dedicated servers · BYOI Console';
  }, []);

  function goToPage(nextPage: number) {
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (nextPage > 1) next.set('page', String(nextPage));
      else next.delete('page');
      return next;
    });
  }

  return (
    <>
      <h1 className="page-title">Dedicated servers</h1>
      <p className="page-lead">
        Pick a server to reinstall it from your own disk image (Bring Your Own Image).
      </p>

      <div className="toolbar">
        <FormField className="toolbar__search">
          <FormFieldLabel htmlFor="server-search">Search by name</FormFieldLabel>
          <Input
            id="server-search"
            type="search"
            value={searchText}
            placeholder="ns1234567.ip-…"
            onChange={(event) => setSearchText(event.target.value)}
            clearable
            onClear={() => setSearchText('')}
          />
        </FormField>
        <span className="muted" aria-live="polite">
          {data
            ? `${data.total} server${data.total === 1 ? '' : 's'}${urlSearch ? ` matching “${urlSearch}”` : ''}`
            : ''}
        </span>
      </div>

      {servers.isError ? (
        <ErrorMessage error={servers.error} title="Could not list servers." />
      ) : null}

      <div className="table-wrap">
        <Table aria-busy={servers.isFetching} aria-label="Dedicated servers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Datacenter</th>
              <th scope="col">State</th>
              <th scope="col">OS</th>
              <th scope="col">Installation</th>
            </tr>
          </thead>
          <tbody>
            {servers.isPending ? <SkeletonRows rows={5} columns={5} /> : null}
            {data?.items.map((server) => (
              <tr key={server.name}>
                <td className="cell-name">
                  <RouterLink to={`/servers/${encodeURIComponent(server.name)}`}>
                    {server.name}
                  </RouterLink>
                  {server.displayName && server.displayName !== server.name ? (
                    <span className="cell-sub">{server.displayName}</span>
                  ) : null}
                </td>
                <td>{server.datacenter}</td>
                <td>{stateBadge(server.state)}</td>
                <td>{server.os}</td>
                <td>
                  {server.installing ? (
                    <Badge color="information">Installing</Badge>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
            {data && data.items.length === 0 ? (
              <tr>
                <td colSpan={5}>
                  {urlSearch
                    ? `No server name contains “${urlSearch}”. Check the spelling or clear the search.`
                    : 'This account has no dedicated servers.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </Table>
      </div>

      {data && data.total > PAGE_SIZE ? (
        <div className="table-footer">
          <span className="muted">
            Showing {(page - 1) * PAGE_SIZE + 1}–{Math.min(page * PAGE_SIZE, data.total)} of{' '}
            {data.total}
          </span>
          <Pagination
            aria-label="Pages"
            page={page}
            pageSize={PAGE_SIZE}
            totalItems={data.total}
            onPageChange={({ page: nextPage }) => goToPage(nextPage)}
          />
        </div>
      ) : null}
    </>
  );
}
