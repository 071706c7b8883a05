import type {
  InstallProgressDto,
  InstallResponse,
  ServerDetailResponse,
  ServerListResponse,
  TemplatesResponse,
} from '@byoi/shared';
import { apiRequest } from '../client.ts';
import type { ServerListParams } from './keys.ts';

const serverPath = (sn: string) => `/api/servers/${encodeURIComponent(sn)}`;

export function fetchServers(
  params: ServerListParams,
  signal?: AbortSignal,
): Promise<ServerListResponse> {
  const query = new URLSearchParams({
    page: String(params.page),
    pageSize: String(params.pageSize),
  });
  if (params.search !== '') query.set('search', params.search);
  return apiRequest<ServerListResponse>(`/api/servers?${query.toString()}`, { signal });
}

export function fetchServer(sn: string, signal?: AbortSignal): Promise<ServerDetailResponse> {
  return apiRequest<ServerDetailResponse>(serverPath(sn), { signal });
}

export function fetchTemplates(sn: string, signal?: AbortSignal): Promise<TemplatesResponse> {
  return apiRequest<TemplatesResponse>(`${serverPath(sn)}/templates`, { signal });
}

export function fetchInstall(sn: string, signal?: AbortSignal): Promise<InstallProgressDto> {
  return apiRequest<InstallProgressDto>(`${serverPath(sn)}/install`, { signal });
}

/** A fresh random key (getRandomValues also works on plain http, where randomUUID is missing). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The body is the form as typed (`ByoiFormInput`); the BFF validates it with the same schema. The
 * key makes a repeated send of the same Confirm (a retry after a dropped answer) start nothing new.
 */
export function startInstall(
  sn: string,
  form: unknown,
  idempotencyKey: string,
): Promise<InstallResponse> {
  return apiRequest<InstallResponse>(`${serverPath(sn)}/install`, {
    method: 'POST',
    body: form,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}

export function cancelInstall(sn: string): Promise<unknown> {
  return apiRequest<unknown>(`${serverPath(sn)}/install/cancel`, { method: 'POST' });
}
