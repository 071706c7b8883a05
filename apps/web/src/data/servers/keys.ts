/** Nested query keys: invalidating `servers.all` refreshes every list, detail and install. */
export interface ServerListParams {
  page: number;
  pageSize: number;
  search: string;
}

export const serverKeys = {
  all: ['servers'] as const,
  lists: () => [...serverKeys.all, 'list'] as const,
  list: (params: ServerListParams) => [...serverKeys.lists(), params] as const,
  details: () => [...serverKeys.all, 'detail'] as const,
  detail: (sn: string) => [...serverKeys.details(), sn] as const,
  install: (sn: string) => [...serverKeys.detail(sn), 'install'] as const,
  templates: (sn: string) => [...serverKeys.detail(sn), 'templates'] as const,
};
