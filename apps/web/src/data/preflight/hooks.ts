import type { PreflightReport, PreflightRequest } from '@byoi/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import { imageKeys } from '../images/keys.ts';
import { runPreflight } from './api.ts';

/** A preflight is an action the operator starts (and the BFF audits), not cached data. */
export function useRunPreflight(sn: string) {
  const queryClient = useQueryClient();
  return useMutation<PreflightReport, ApiError, PreflightRequest>({
    mutationFn: (request) => runPreflight(sn, request),
    // A check of a library image is its version's last check from now on.
    onSuccess: (_report, request) =>
      request.libraryImage ? queryClient.invalidateQueries({ queryKey: imageKeys.all }) : undefined,
  });
}
