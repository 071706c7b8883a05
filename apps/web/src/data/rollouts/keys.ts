/** Nested query keys: invalidating `rollouts.all` refreshes the history and every rollout. */
export const rolloutKeys = {
  all: ['rollouts'] as const,
  lists: () => [...rolloutKeys.all, 'list'] as const,
  details: () => [...rolloutKeys.all, 'detail'] as const,
  detail: (id: string) => [...rolloutKeys.details(), id] as const,
};
