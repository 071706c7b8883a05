import type {
  CreateLibraryImageRequest,
  LibraryImageDetailResponse,
  LibraryImageVersionInput,
  UpdateLibraryImageRequest,
} from '@byoi/shared';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import {
  addImageVersion,
  archiveImage,
  createImage,
  fetchImage,
  fetchImageInstalls,
  fetchImages,
  updateImage,
} from './api.ts';
import { imageKeys } from './keys.ts';

/** The library, searched by name; the rows shown stay while the next search loads. */
export function useImages(search: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: imageKeys.list(search),
    queryFn: ({ signal }) => fetchImages(search, signal),
    placeholderData: keepPreviousData,
  });
}

export function useImage(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: imageKeys.detail(id),
    queryFn: ({ signal }) => fetchImage(id, signal),
  });
}

/** Where the image is installed: the latest install per server. */
export function useImageInstalls(id: string) {
  return useQuery({
    queryKey: imageKeys.installs(id),
    queryFn: ({ signal }) => fetchImageInstalls(id, signal),
  });
}

function isDetail(value: unknown): value is LibraryImageDetailResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    'image' in value &&
    'versions' in value &&
    Array.isArray(value.versions)
  );
}

/** Every write changes what the list and the image say: both are read again. */
function useImageWrite<V, R = LibraryImageDetailResponse>(write: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation<R, ApiError, V>({
    mutationFn: write,
    onSuccess: (answer) => {
      if (isDetail(answer)) queryClient.setQueryData(imageKeys.detail(answer.image.id), answer);
      return queryClient.invalidateQueries({ queryKey: imageKeys.all });
    },
  });
}

export function useCreateImage() {
  return useImageWrite((request: CreateLibraryImageRequest) => createImage(request));
}

export function useUpdateImage(id: string) {
  // The answer's shape is not relied on: the image is read again either way.
  return useImageWrite((request: UpdateLibraryImageRequest): Promise<unknown> =>
    updateImage(id, request),
  );
}

export function useAddImageVersion(id: string) {
  return useImageWrite((version: LibraryImageVersionInput) => addImageVersion(id, version));
}

export function useArchiveImage(id: string) {
  const queryClient = useQueryClient();
  return useMutation<unknown, ApiError, void>({
    mutationFn: () => archiveImage(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: imageKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: imageKeys.lists() });
    },
  });
}
