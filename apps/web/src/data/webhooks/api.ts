import type {
  CreateWebhookRequest,
  CreateWebhookResponse,
  UpdateWebhookRequest,
  WebhookDeliveriesResponse,
  WebhookDto,
  WebhookListResponse,
} from '@byoi/shared';
import { apiRequest } from '../client.ts';

const webhookPath = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

export function fetchWebhooks(signal?: AbortSignal): Promise<WebhookListResponse> {
  return apiRequest<WebhookListResponse>('/api/webhooks', { signal });
}

export function fetchDeliveries(
  id: string,
  signal?: AbortSignal,
): Promise<WebhookDeliveriesResponse> {
  return apiRequest<WebhookDeliveriesResponse>(`${webhookPath(id)}/deliveries`, { signal });
}

/** The answer carries the signing secret, this once. */
export function createWebhook(request: CreateWebhookRequest): Promise<CreateWebhookResponse> {
  return apiRequest<CreateWebhookResponse>('/api/webhooks', { method: 'POST', body: request });
}

export function updateWebhook(id: string, request: UpdateWebhookRequest): Promise<unknown> {
  return apiRequest<WebhookDto>(webhookPath(id), { method: 'PATCH', body: request });
}

export function deleteWebhook(id: string): Promise<unknown> {
  return apiRequest<unknown>(webhookPath(id), { method: 'DELETE' });
}
