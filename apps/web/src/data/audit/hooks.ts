import type { AuditQuery } from '@byoi/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { fetchAudit } from './api.ts';
import { auditKeys } from './keys.ts';

/** One page of the audit log; the page shown stays while the next one loads. */
export function useAuditPage(query: AuditQuery, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: auditKeys.page(query),
    queryFn: ({ signal }) => fetchAudit(query, signal),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}
