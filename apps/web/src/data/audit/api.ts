import type { AuditListResponse } from '@byoi/shared';
import { apiRequest } from '../client.ts';

export function fetchAudit(limit: number, signal?: AbortSignal): Promise<AuditListResponse> {
  return apiRequest<AuditListResponse>(`/api/audit?limit=${limit}`, { signal });
}
