import type { ServerSortField, SortOrder } from '@byoi/shared';

/**
 * One page of the fleet list. Every field is always set (defaults included), so a view has exactly
 * one query key however it was reached: a click, a reload or a shared link.
 */
export interface ServerListParams {
  page: number;
  pageSize: number;
  search: string;
  sort: ServerSortField;
  order: SortOrder;
}

/** Nested query keys: invalidating `servers.all` refreshes every list, detail and install. */
export const serverKeys = {
  all: ['servers'] as const,
  lists: () => [...serverKeys.all, 'list'] as const,
  list: (params: ServerListParams) => [...serverKeys.lists(), params] as const,
  details: () => [...serverKeys.all, 'detail'] as const,
  detail: (sn: string) => [...serverKeys.details(), sn] as const,
  install: (sn: string) => [...serverKeys.detail(sn), 'install'] as const,
  templates: (sn: string) => [...serverKeys.detail(sn), 'templates'] as const,
};
