import type { CreateRolloutInput, RolloutDetailDto, RolloutListResponse } from '@byoi/shared';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { InfiniteData } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import { createRollout, fetchRollout, fetchRollouts, stepRollout } from './api.ts';
import type { RolloutStep } from './api.ts';
import { rolloutKeys } from './keys.ts';
import { isRolloutSettled } from './rolloutState.ts';

export const ROLLOUT_PAGE_SIZE = 20;
export const ROLLOUT_POLL_MS = 2000;

/** The rollout history, newest first; "Older" appends the next page. */
export function useRollouts() {
  return useInfiniteQuery<
    RolloutListResponse,
    ApiError,
    InfiniteData<RolloutListResponse, string>,
    ReturnType<typeof rolloutKeys.lists>,
    string
  >({
    queryKey: rolloutKeys.lists(),
    queryFn: ({ pageParam, signal }) =>
      fetchRollouts({ limit: ROLLOUT_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** One rollout, read again every 2 s until it has ended and no install of it still runs. */
export function useRollout(id: string) {
  return useQuery<RolloutDetailDto, ApiError>({
    queryKey: rolloutKeys.detail(id),
    queryFn: ({ signal }) => fetchRollout(id, signal),
    refetchInterval: (query) =>
      query.state.status === 'error' || isRolloutSettled(query.state.data)
        ? false
        : ROLLOUT_POLL_MS,
  });
}

export function useCreateRollout() {
  const queryClient = useQueryClient();
  return useMutation<{ id: string }, ApiError, CreateRolloutInput>({
    mutationFn: createRollout,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rolloutKeys.lists() }),
  });
}

interface StepVariables {
  step: RolloutStep;
  cancelRunning?: boolean;
}

/** Start, pause, resume, abort: the answer is the rollout as it now is, shown at once. */
export function useRolloutStep(id: string) {
  const queryClient = useQueryClient();
  return useMutation<RolloutDetailDto, ApiError, StepVariables>({
    mutationFn: ({ step, cancelRunning }) =>
      stepRollout(
        id,
        step,
        step === 'abort' ? { cancelRunning: cancelRunning ?? false } : undefined,
      ),
    onSuccess: (rollout) => {
      queryClient.setQueryData(rolloutKeys.detail(id), rollout);
      return queryClient.invalidateQueries({ queryKey: rolloutKeys.lists() });
    },
  });
}
