/** Nested query keys: invalidating `images.all` refreshes every list, image and its installs. */
export const imageKeys = {
  all: ['images'] as const,
  lists: () => [...imageKeys.all, 'list'] as const,
  list: (search: string) => [...imageKeys.lists(), search] as const,
  details: () => [...imageKeys.all, 'detail'] as const,
  detail: (id: string) => [...imageKeys.details(), id] as const,
  installs: (id: string) => [...imageKeys.detail(id), 'installs'] as const,
};
