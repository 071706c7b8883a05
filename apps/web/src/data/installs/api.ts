import type { InstallHistoryEntryDto, InstallHistoryResponse } from '@byoi/shared';
import { apiRequest } from '../client.ts';

export interface InstallHistoryPage {
  limit: number;
  /** `nextCursor` of the page before; '' for the newest page. */
  cursor: string;
}

export function fetchInstallHistory(
  sn: string,
  { limit, cursor }: InstallHistoryPage,
  signal?: AbortSignal,
): Promise<InstallHistoryResponse> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor !== '') query.set('cursor', cursor);
  return apiRequest<InstallHistoryResponse>(
    `/api/servers/${encodeURIComponent(sn)}/installs?${query.toString()}`,
    { signal },
  );
}

export function fetchInstallEntry(
  id: string,
  signal?: AbortSignal,
): Promise<{ entry: InstallHistoryEntryDto }> {
  return apiRequest<{ entry: InstallHistoryEntryDto }>(`/api/installs/${encodeURIComponent(id)}`, {
    signal,
  });
}
