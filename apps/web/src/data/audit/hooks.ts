import { useQuery } from '@tanstack/react-query';
import { fetchAudit } from './api.ts';
import { auditKeys } from './keys.ts';

export function useAudit(limit: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: auditKeys.recent(limit),
    queryFn: ({ signal }) => fetchAudit(limit, signal),
    staleTime: 0,
  });
}
