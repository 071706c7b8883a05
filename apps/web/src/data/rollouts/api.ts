import type {
  AbortRolloutRequest,
  CreateRolloutInput,
  CreateRolloutResponse,
  RolloutDetailDto,
  RolloutListResponse,
} from '@byoi/shared';
import { apiRequest } from '../client.ts';

const rolloutPath = (id: string) => `/api/rollouts/${encodeURIComponent(id)}`;

export interface RolloutListPage {
  limit: number;
  /** `nextCursor` of the page before; '' for the newest page. */
  cursor: string;
}

export function fetchRollouts(
  { limit, cursor }: RolloutListPage,
  signal?: AbortSignal,
): Promise<RolloutListResponse> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor !== '') query.set('cursor', cursor);
  return apiRequest<RolloutListResponse>(`/api/rollouts?${query.toString()}`, { signal });
}

export function fetchRollout(id: string, signal?: AbortSignal): Promise<RolloutDetailDto> {
  return apiRequest<RolloutDetailDto>(rolloutPath(id), { signal });
}

/** The body as the form built it; the BFF validates it with the same schema. */
export function createRollout(request: CreateRolloutInput): Promise<CreateRolloutResponse> {
  return apiRequest<CreateRolloutResponse>('/api/rollouts', { method: 'POST', body: request });
}

export type RolloutStep = 'start' | 'pause' | 'resume' | 'abort';

/** Each step answers the rollout as it now is; a state that forbids it answers 409. */
export function stepRollout(
  id: string,
  step: RolloutStep,
  body?: AbortRolloutRequest,
): Promise<RolloutDetailDto> {
  return apiRequest<RolloutDetailDto>(`${rolloutPath(id)}/${step}`, { method: 'POST', body });
}
