import type { ByoiForm, InstallProgressDto, ServerListResponse } from '@byoi/shared';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UseQueryOptions } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ApiError } from '../client.ts';
import {
  cancelInstall,
  fetchInstall,
  fetchServer,
  fetchServers,
  fetchTemplates,
  newIdempotencyKey,
  startInstall,
} from './api.ts';
import { serverKeys } from './keys.ts';
import type { ServerListParams } from './keys.ts';

type Options<T> = Omit<UseQueryOptions<T, ApiError>, 'queryKey' | 'queryFn'>;

/**
 * A page of the fleet, carrying the search that found it (`search`): while the next search loads,
 * the count line and the empty-list message still describe the rows on screen.
 */
export function useServers(params: ServerListParams) {
  return useQuery({
    queryKey: serverKeys.list(params),
    queryFn: ({ signal }): Promise<ServerListResponse> => fetchServers(params, signal),
    // Keeps the previous rows in place while the next page, sort or search loads.
    placeholderData: keepPreviousData,
  });
}

export function useServer(sn: string) {
  return useQuery({
    queryKey: serverKeys.detail(sn),
    queryFn: ({ signal }) => fetchServer(sn, signal),
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

export function isInstallOver(progress: InstallProgressDto | undefined): boolean {
  return progress !== undefined && progress.state !== 'running';
}

export function useInstallProgress(sn: string, options: Options<InstallProgressDto> = {}) {
  const queryClient = useQueryClient();
  const query = useQuery({
    refetchInterval: (query) =>
      query.state.data === undefined || query.state.data.state === 'running'
        ? INSTALL_POLL_MS
        : false,
    ...options,
    queryKey: serverKeys.install(sn),
    queryFn: ({ signal }) => fetchInstall(sn, signal),
  });
  // The server's cached detail still says "running": drop it so Install and the form come back.
  const over = isInstallOver(query.data);
  useEffect(() => {
    if (over) void queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn) });
  }, [over, sn, queryClient]);
  return query;
}

export function useStartInstall(sn: string) {
  const queryClient = useQueryClient();
  return useMutation<Awaited<ReturnType<typeof startInstall>>, ApiError, ByoiForm | object>({
    mutationFn: (form) => startInstall(sn, form, newIdempotencyKey()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn) }),
  });
}

export function useCancelInstall(sn: string) {
  const queryClient = useQueryClient();
  return useMutation<unknown, ApiError, void>({
    mutationFn: () => cancelInstall(sn),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serverKeys.detail(sn) }),
  });
}
