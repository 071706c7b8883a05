import type { InstallHistoryResponse } from '@byoi/shared';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { InfiniteData } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import { fetchInstallEntry, fetchInstallHistory } from './api.ts';
import { installKeys } from './keys.ts';

export const HISTORY_PAGE_SIZE = 20;
/** While an entry says running, the history is read again until the console learns its end. */
export const HISTORY_POLL_MS = 5000;

/** A server's installs, newest first; "Older" appends the next page (`fetchNextPage`). */
export function useInstallHistory(sn: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useInfiniteQuery<
    InstallHistoryResponse,
    ApiError,
    InfiniteData<InstallHistoryResponse, string>,
    ReturnType<typeof installKeys.history>,
    string
  >({
    enabled,
    queryKey: installKeys.history(sn),
    queryFn: ({ pageParam, signal }) =>
      fetchInstallHistory(sn, { limit: HISTORY_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) =>
        page.entries.some((entry) => entry.outcome === 'running'),
      )
        ? HISTORY_POLL_MS
        : false,
  });
}

/** One install of the history, for "Reinstall with the same image". */
export function useInstallEntry(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: installKeys.entry(id),
    queryFn: ({ signal }) => fetchInstallEntry(id, signal),
    select: (data) => data.entry,
    // What was installed does not change: one read per visit is enough.
    staleTime: Infinity,
  });
}
