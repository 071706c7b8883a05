import type { SessionResponse, SignInRequest } from '@byoi/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import { resetSignInRedirect } from '../client.ts';
import { fetchSession, signIn, signOut } from './api.ts';
import { sessionKeys } from './keys.ts';

export function useSession() {
  return useQuery<SessionResponse, ApiError>({
    queryKey: sessionKeys.all,
    queryFn: ({ signal }) => fetchSession(signal),
    // The session cookie lasts longer than any screen; the BFF says when it has expired (401).
    staleTime: 5 * 60_000,
  });
}

/** True only for a signed-in operator: viewers never see install, preflight or cancel actions. */
export function useCanOperate(): boolean {
  return useSession().data?.user.role === 'operator';
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation<SessionResponse, ApiError, SignInRequest>({
    mutationFn: signIn,
    onSuccess: (session) => {
      // Another user may have signed in: nothing cached for the previous one may show. (Queries
      // only: clearing mutations too would drop the caller's own onSuccess.)
      queryClient.removeQueries();
      queryClient.setQueryData(sessionKeys.all, session);
      resetSignInRedirect();
    },
  });
}

/** The caller leaves the signed-in screens, then drops the cache (see Layout). */
export function useSignOut() {
  return useMutation<void, ApiError, void>({ mutationFn: signOut });
}
