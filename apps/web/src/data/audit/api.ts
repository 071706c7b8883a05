import type { AuditListResponse, AuditQuery } from '@byoi/shared';
import { apiRequest } from '../client.ts';

/** The query string of `GET /api/audit`, unset filters left out. */
export function auditSearch(query: AuditQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

export function fetchAudit(query: AuditQuery, signal?: AbortSignal): Promise<AuditListResponse> {
  const search = auditSearch(query);
  return apiRequest<AuditListResponse>(`/api/audit${search ? `?${search}` : ''}`, { signal });
}
