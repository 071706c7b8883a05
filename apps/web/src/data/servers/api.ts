import { SERVER_LIST_DEFAULTS } from '@byoi/shared';
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

/**
 * Defaults are left out: the default view asks what it asked before sorting existed, which a BFF
 * that refuses unknown query parameters still answers.
 */
function serverListQuery(params: ServerListParams): string {
  const query = new URLSearchParams({
    page: String(params.page),
    pageSize: String(params.pageSize),
  });
  if (params.search !== '') query.set('search', params.search);
  if (params.sort !== SERVER_LIST_DEFAULTS.sort) query.set('sort', params.sort);
  if (params.order !== SERVER_LIST_DEFAULTS.order) query.set('order', params.order);
  return query.toString();
}

export function fetchServers(
  params: ServerListParams,
  signal?: AbortSignal,
): Promise<ServerListResponse> {
  return apiRequest<ServerListResponse>(`/api/servers?${serverListQuery(params)}`, { signal });
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
