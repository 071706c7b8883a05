import type { MetaResponse } from '@byoi/shared';
import { apiRequest } from '../client.ts';

export function fetchMeta(signal?: AbortSignal): Promise<MetaResponse> {
  return apiRequest<MetaResponse>('/api/meta', { signal });
}
