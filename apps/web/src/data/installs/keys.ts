/** Nested query keys: invalidating `installs.all` refreshes every history and entry. */
export const installKeys = {
  all: ['installs'] as const,
  histories: () => [...installKeys.all, 'history'] as const,
  history: (sn: string) => [...installKeys.histories(), sn] as const,
  entry: (id: string) => [...installKeys.all, 'entry', id] as const,
};
