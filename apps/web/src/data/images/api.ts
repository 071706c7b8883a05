import type {
  CreateLibraryImageRequest,
  LibraryImageDetailResponse,
  LibraryImageInstallsResponse,
  LibraryImageListResponse,
  LibraryImageVersionInput,
  UpdateLibraryImageRequest,
} from '@byoi/shared';
import { apiRequest } from '../client.ts';

const imagePath = (id: string) => `/api/images/${encodeURIComponent(id)}`;

export function fetchImages(
  search: string,
  signal?: AbortSignal,
): Promise<LibraryImageListResponse> {
  const query = search === '' ? '' : `?${new URLSearchParams({ search }).toString()}`;
  return apiRequest<LibraryImageListResponse>(`/api/images${query}`, { signal });
}

export function fetchImage(id: string, signal?: AbortSignal): Promise<LibraryImageDetailResponse> {
  return apiRequest<LibraryImageDetailResponse>(imagePath(id), { signal });
}

export function fetchImageInstalls(
  id: string,
  signal?: AbortSignal,
): Promise<LibraryImageInstallsResponse> {
  return apiRequest<LibraryImageInstallsResponse>(`${imagePath(id)}/installs`, { signal });
}

export function createImage(
  request: CreateLibraryImageRequest,
): Promise<LibraryImageDetailResponse> {
  return apiRequest<LibraryImageDetailResponse>('/api/images', { method: 'POST', body: request });
}

export function updateImage(id: string, request: UpdateLibraryImageRequest): Promise<unknown> {
  return apiRequest<unknown>(imagePath(id), { method: 'PATCH', body: request });
}

/** A header sent without `value` keeps the value the previous version stored under its name. */
export function addImageVersion(
  id: string,
  version: LibraryImageVersionInput,
): Promise<LibraryImageDetailResponse> {
  return apiRequest<LibraryImageDetailResponse>(`${imagePath(id)}/versions`, {
    method: 'POST',
    body: version,
  });
}

/** Archives the image: it leaves the list, its installs stay in the history. */
export function archiveImage(id: string): Promise<unknown> {
  return apiRequest<unknown>(imagePath(id), { method: 'DELETE' });
}
