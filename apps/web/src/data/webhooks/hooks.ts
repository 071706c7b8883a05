import type {
  CreateWebhookRequest,
  CreateWebhookResponse,
  UpdateWebhookRequest,
} from '@byoi/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../client.ts';
import {
  createWebhook,
  deleteWebhook,
  fetchDeliveries,
  fetchWebhooks,
  updateWebhook,
} from './api.ts';
import { webhookKeys } from './keys.ts';

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => fetchWebhooks(signal),
    select: (data) => data.webhooks,
  });
}

/** A hook's delivery log, read when the operator opens it. */
export function useDeliveries(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ signal }) => fetchDeliveries(id, signal),
    select: (data) => data.deliveries,
  });
}

/** Every write changes the list: it is read again. */
function useWebhookWrite<V, R>(write: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation<R, ApiError, V>({
    mutationFn: write,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

export function useCreateWebhook() {
  return useWebhookWrite<CreateWebhookRequest, CreateWebhookResponse>(createWebhook);
}

export function useUpdateWebhook() {
  return useWebhookWrite(({ id, request }: { id: string; request: UpdateWebhookRequest }) =>
    updateWebhook(id, request),
  );
}

export function useDeleteWebhook() {
  return useWebhookWrite((id: string) => deleteWebhook(id));
}
