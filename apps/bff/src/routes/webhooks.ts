/**
 * The webhooks: every signed-in user reads them and their delivery log; operators register,
 * change, delete them and rotate their secrets, each change an audit entry of its own. A secret is
 * in exactly two answers, the creation's and the rotation's; audit entries name the webhook and
 * its host only (a URL's path or query may hold a token).
 */
import { Router, type Request } from 'express';
import type {
  AuditEvent,
  CreateWebhookResponse,
  WebhookDeliveriesResponse,
  WebhookDto,
  WebhookListResponse,
} from '@byoi/shared';
import type { AuditLog, NewAuditEntry } from '../audit/auditLog.ts';
import { requestFacts } from '../audit/auditTrail.ts';
import { parseSavedBody } from '../jsonRequest.ts';
import { requireRole } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import type { WebhookRegistry } from '../webhooks/webhookRegistry.ts';
import { createWebhookSchema, updateWebhookSchema } from '../webhooks/webhookSchemas.ts';

export interface WebhooksDeps {
  registry: WebhookRegistry;
  audit: Pick<AuditLog, 'recordDurably'>;
}

/** The webhook in words for the audit log: its id, origin and subscriptions, never a path. */
function describe(webhook: WebhookDto): string {
  let origin = 'an unreadable URL';
  try {
    origin = new URL(webhook.url).origin;
  } catch {
    // Stored URLs were parsed at registration; this is a guard, not a path.
  }
  return `webhook ${webhook.id} to ${origin} (${webhook.enabled ? 'enabled' : 'disabled'}; events: ${webhook.events.join(', ')})`;
}

function changeEntry(
  req: Request,
  event: Extract<AuditEvent, `webhook-${string}`>,
  status: number,
  webhook: WebhookDto,
  what?: string,
): NewAuditEntry {
  return {
    ...requestFacts(req, status),
    event,
    outcome: 'success',
    message: what ? `${what}: ${describe(webhook)}` : describe(webhook),
  };
}

export function webhooksRouter({ registry, audit }: WebhooksDeps): Router {
  const router = Router();
  const operator = requireRole('operator');
  const by = (req: Request) => sessionUser(req)?.username ?? null;
  const id = (req: Request) => String(req.params.id);

  router.get('/', async (_req, res) => {
    const body: WebhookListResponse = { webhooks: await registry.list() };
    res.json(body);
  });

  router.post('/', operator, async (req, res) => {
    const input = parseSavedBody(req, createWebhookSchema, 'new webhook');
    const created = await registry.create(input, by(req));
    await audit.recordDurably(changeEntry(req, 'webhook-create', 201, created.webhook));
    const body: CreateWebhookResponse = created;
    res.status(201).json(body);
  });

  router.get('/:id', async (req, res) => {
    const body: WebhookDto = await registry.get(id(req));
    res.json(body);
  });

  router.patch('/:id', operator, async (req, res) => {
    const patch = parseSavedBody(req, updateWebhookSchema, 'webhook change');
    const { webhook } = await registry.update(id(req), patch);
    await audit.recordDurably(changeEntry(req, 'webhook-update', 200, webhook));
    const body: WebhookDto = webhook;
    res.json(body);
  });

  router.delete('/:id', operator, async (req, res) => {
    const { webhook } = await registry.remove(id(req));
    await audit.recordDurably(changeEntry(req, 'webhook-delete', 200, webhook));
    const body: WebhookDto = webhook;
    res.json(body);
  });

  router.post('/:id/rotate-secret', operator, async (req, res) => {
    const rotated = await registry.rotate(id(req));
    await audit.recordDurably(
      changeEntry(req, 'webhook-update', 200, rotated.webhook, 'secret rotated'),
    );
    const body: CreateWebhookResponse = rotated;
    res.json(body);
  });

  router.get('/:id/deliveries', async (req, res) => {
    const body: WebhookDeliveriesResponse = { deliveries: await registry.deliveries(id(req)) };
    res.json(body);
  });

  return router;
}
