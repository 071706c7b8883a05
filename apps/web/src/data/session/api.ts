import type { SessionResponse, SignInRequest } from '@byoi/shared';
import { apiRequest } from '../client.ts';

/** Who is signed in; a 401 (nobody, or an expired session) shows the sign-in page. */
export function fetchSession(signal?: AbortSignal): Promise<SessionResponse> {
  return apiRequest<SessionResponse>('/api/session', { signal });
}

export function signIn(request: SignInRequest): Promise<SessionResponse> {
  return apiRequest<SessionResponse>('/api/session', {
    method: 'POST',
    body: request,
    signInOn401: false,
  });
}

export function signOut(): Promise<void> {
  return apiRequest<undefined>('/api/session', { method: 'DELETE', signInOn401: false });
}
