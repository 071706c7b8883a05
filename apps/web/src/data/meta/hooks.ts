import { useQuery } from '@tanstack/react-query';
import { fetchMeta } from './api.ts';
import { metaKeys } from './keys.ts';

export function useMeta() {
  return useQuery({
    queryKey: metaKeys.all,
    queryFn: ({ signal }) => fetchMeta(signal),
    // The mode and route only change when the BFF restarts.
    staleTime: Infinity,
  });
}
