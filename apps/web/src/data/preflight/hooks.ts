import type { PreflightReport, PreflightRequest } from '@byoi/shared';
import { useMutation } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import { runPreflight } from './api.ts';

/** A preflight is an action the operator starts (and the BFF audits), not cached data. */
export function useRunPreflight(sn: string) {
  return useMutation<PreflightReport, ApiError, PreflightRequest>({
    mutationFn: (request) => runPreflight(sn, request),
  });
}
