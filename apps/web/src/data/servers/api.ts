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

/** The body is the form as typed (`ByoiFormInput`); the BFF validates it with the same schema. */
export function startInstall(sn: string, form: unknown): Promise<InstallResponse> {
  return apiRequest<InstallResponse>(`${serverPath(sn)}/install`, { method: 'POST', body: form });
}

export function cancelInstall(sn: string): Promise<unknown> {
  return apiRequest<unknown>(`${serverPath(sn)}/install/cancel`, { method: 'POST' });
}
