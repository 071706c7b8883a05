import type {
  ByoiForm,
  InstallProgressDto,
  ServerDetailResponse,
  ServerListResponse,
} from '@byoi/shared';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UseQueryOptions } from '@tanstack/react-query';
import { useEffect, useEffectEvent } from 'react';
import type { ApiError } from '../client.ts';
import { imageKeys } from '../images/keys.ts';
import { installKeys } from '../installs/keys.ts';
import {
  cancelInstall,
  fetchInstall,
  fetchServer,
  fetchServers,
  fetchTemplates,
  newIdempotencyKey,
  startInstall,
} from './api.ts';
import { isInstallOver, isInstallRunning } from './installState.ts';
import { serverKeys } from './keys.ts';
import type { ServerListParams } from './keys.ts';

type Options<T> = Omit<UseQueryOptions<T, ApiError>, 'queryKey' | 'queryFn'>;

/**
 * A page of the fleet, carrying the search that found it (`search`): while the next search loads,
 * the count line and the empty-list message still describe the rows on screen.
 */
export function useServers(
  params: ServerListParams,
  { enabled = true }: { enabled?: boolean } = {},
) {
  return useQuery({
    enabled,
    queryKey: serverKeys.list(params),
    queryFn: ({ signal }): Promise<ServerListResponse> => fetchServers(params, signal),
    // Keeps the previous rows in place while the next page, sort or search loads.
    placeholderData: keepPreviousData,
    // A row says "Installing" only while it is true: the page is read again until none does.
    refetchInterval: (query) =>
      query.state.data?.items.some((server) => server.installing) ? LIST_POLL_MS : false,
  });
}

/** The server page follows a running install, then stops asking once it has ended. */
export function useServer(sn: string) {
  return useQuery({
    queryKey: serverKeys.detail(sn),
    queryFn: ({ signal }) => fetchServer(sn, signal),
    refetchInterval: (query) =>
      isInstallRunning(query.state.data?.install) ? INSTALL_POLL_MS : false,
  });
}

export function useTemplates(sn: string) {
  return useQuery({
    queryKey: serverKeys.templates(sn),
    queryFn: ({ signal }) => fetchTemplates(sn, signal),
    staleTime: 5 * 60_000,
  });
}

export const INSTALL_POLL_MS = 2000;
/** A list page is heavier than one server: read again less often while a row installs. */
export const LIST_POLL_MS = 5000;

export function useInstallProgress(sn: string, options: Options<InstallProgressDto> = {}) {
  const queryClient = useQueryClient();
  const query = useQuery({
    refetchInterval: (query) =>
      query.state.data === undefined || isInstallRunning(query.state.data)
        ? INSTALL_POLL_MS
        : false,
    ...options,
    queryKey: serverKeys.install(sn),
    queryFn: ({ signal }) => fetchInstall(sn, signal),
  });
  // The server page and the list may still hold "running": the end seen here is written into the
  // server's cached page at once (Install comes back without a wait), then both are read again.
  const endKey = isInstallOver(query.data)
    ? `${query.data?.state ?? ''}:${query.data?.task?.taskId ?? ''}`
    : null;
  const writeEnd = useEffectEvent(() => {
    const progress = query.data;
    if (progress === undefined || !isInstallOver(progress)) return;
    queryClient.setQueryData<ServerDetailResponse>(serverKeys.detail(sn), (detail) =>
      detail
        ? { ...detail, server: { ...detail.server, installing: false }, install: progress }
        : detail,
    );
    void queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn), exact: true });
    void queryClient.invalidateQueries({ queryKey: serverKeys.lists() });
    // How it ended is in the history, and in "where is it installed" of a library image.
    void queryClient.invalidateQueries({ queryKey: installKeys.history(sn) });
    void queryClient.invalidateQueries({ queryKey: imageKeys.details() });
  });
  useEffect(() => {
    if (endKey !== null) writeEnd();
  }, [endKey]);
  return query;
}

export function useStartInstall(sn: string) {
  const queryClient = useQueryClient();
  return useMutation<Awaited<ReturnType<typeof startInstall>>, ApiError, ByoiForm | object>({
    mutationFn: (form) => startInstall(sn, form, newIdempotencyKey()),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn) }),
        queryClient.invalidateQueries({ queryKey: serverKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: installKeys.history(sn) }),
      ]),
  });
}

export function useCancelInstall(sn: string) {
  const queryClient = useQueryClient();
  return useMutation<unknown, ApiError, void>({
    mutationFn: () => cancelInstall(sn),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn) }),
        queryClient.invalidateQueries({ queryKey: serverKeys.lists() }),
      ]),
  });
}
