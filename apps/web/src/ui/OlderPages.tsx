import { Button, Icon } from '@ovhcloud/ods-react';

/** What a list's infinite query says of its pages (TanStack Query's `useInfiniteQuery`). */
interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * Below a newest-first list: how many rows are shown, and an **Older** button that fetches the
 * next page while there is one. Nothing when the list is empty and has no more.
 */
export function OlderPages({
  label,
  shown,
  noun,
  pageSize,
  query,
}: {
  /** The navigation's accessible name, e.g. "Rollout pages". */
  label: string;
  shown: number;
  /** Singular: "install" → "2 installs shown". */
  noun: string;
  pageSize: number;
  query: PagedQuery;
}) {
  if (!query.hasNextPage && shown === 0) return null;
  return (
    <nav className="table-footer" aria-label={label}>
      <span className="muted" aria-live="polite">
        {shown} {noun}
        {shown === 1 ? '' : 's'} shown
        {query.hasNextPage ? `, ${pageSize} more at a time` : ''}
      </span>
      {query.hasNextPage ? (
        <Button
          variant="outline"
          size="sm"
          loading={query.isFetchingNextPage}
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          Older <Icon name="chevron-down" />
        </Button>
      ) : null}
    </nav>
  );
}
