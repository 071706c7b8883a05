/**
 * The registered webhooks in the store, and their delivery log. A signing secret is made here,
 * handed back once (at creation or rotation) and otherwise only ever stored sealed with the
 * console's secrets key: no answer, log line or audit entry carries it. A webhook's URL passes
 * the address guard when it is registered, as every delivery to it does again.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { WebhookDeliveryDto, WebhookDeliveryState, WebhookDto } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { AddressGuard } from '../preflight/addressGuard.ts';
import { FetchError, GuardError } from '../preflight/errors.ts';
import type { HeaderSecrets, SecretsPurpose } from '../secrets/headerSecrets.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import type { Database, WebhookDeliveryTable, WebhookTable } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { newWebhookSecret } from './signature.ts';
import type { CreateWebhook, UpdateWebhook } from './webhookSchemas.ts';

/** How long the previous secret keeps signing after a rotation: receivers have a day to switch. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;
/** The delivery log shows this many, newest first. */
export const DELIVERY_LOG_LIMIT = 100;

export type WebhookRow = Selectable<WebhookTable>;
type DeliveryRow = Selectable<WebhookDeliveryTable>;

/** A change, with what its audit entry needs to say. */
export interface WebhookChange {
  webhook: WebhookDto;
}

/** A webhook with its secret, answered once: at creation and at rotation. */
export interface WebhookWithSecret extends WebhookChange {
  secret: string;
}

const SET_SECRETS_KEY =
  'Ask the administrator to set SECRETS_KEY to 32 random bytes (e.g. the output of `openssl rand -base64 32`), the same on every replica, and restart the console.';

/** The associated data of a webhook's sealed secrets: a sealed value moved to another hook does not open. */
export function webhookSecretContext(webhookId: string): string {
  return JSON.stringify(['webhook-secret', webhookId]);
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function notFound(id: string): ApiError {
  return new ApiError(
    404,
    'NOT_FOUND',
    `There is no webhook "${id.slice(0, 100)}" (it may have been deleted). List the webhooks with GET /api/webhooks to find the one you mean.`,
  );
}

/** The webhooks' words for the secrets key's refusals (HeaderSecrets words them for the image library). */
function secretsRefusal(error: unknown, purpose: SecretsPurpose): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'SECRETS_KEY_MISSING' && error.status === 400) {
    return new ApiError(
      400,
      'SECRETS_KEY_MISSING',
      `This console cannot store webhook signing secrets: it runs with OVH credentials and SECRETS_KEY is not set, so the secret could not be kept encrypted. Nothing was saved. ${SET_SECRETS_KEY}`,
    );
  }
  if (error.code === 'SECRETS_KEY_MISSING') {
    return new ApiError(
      503,
      'SECRETS_KEY_MISSING',
      `The webhook signing secrets cannot be ${purpose === 'store' ? 'stored' : 'used'}: the console has no secrets key. ${SET_SECRETS_KEY}`,
    );
  }
  if (error.code === 'SECRETS_KEY_MISMATCH') {
    return new ApiError(
      503,
      'SECRETS_KEY_MISMATCH',
      "The console's stored secrets were encrypted with another secrets key than this console's, so webhook signing secrets can be neither stored nor used. Ask the administrator to start the console with the SECRETS_KEY they were stored with, the same on every replica.",
    );
  }
  return error;
}

function toDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    eventId: row.event_id,
    event: row.event_type,
    createdAt: iso(row.created_at),
    state: row.state,
    nextAttemptAt:
      row.state === 'pending' && row.next_attempt_at !== null ? iso(row.next_attempt_at) : null,
    attempts: row.attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at,
      durationMs: a.durationMs,
      status: a.status,
      error: a.error,
    })),
  };
}

type LastDelivery = WebhookDto['lastDelivery'];

function lastDeliveryOf(row: DeliveryRow | undefined): LastDelivery {
  if (!row) return null;
  const last = row.attempts.at(-1);
  return {
    at: last?.at ?? iso(row.created_at),
    state: row.state satisfies WebhookDeliveryState,
    status: last?.status ?? null,
  };
}

function toDto(row: WebhookRow, last: DeliveryRow | undefined): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    lastDelivery: lastDeliveryOf(last),
  };
}

export interface WebhookRegistryDeps {
  store: Store;
  secrets: HeaderSecrets;
  guard: AddressGuard;
  now?: () => number;
}

export class WebhookRegistry {
  readonly #db: Kysely<Database>;
  readonly #secrets: HeaderSecrets;
  readonly #guard: AddressGuard;
  readonly #now: () => number;

  constructor(deps: WebhookRegistryDeps) {
    this.#db = deps.store.db;
    this.#secrets = deps.secrets;
    this.#guard = deps.guard;
    this.#now = deps.now ?? Date.now;
  }

  /** The webhooks not deleted, oldest first. */
  async list(): Promise<WebhookDto[]> {
    const rows = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const latest = await this.#latestDeliveries(rows.map((row) => row.id));
    return rows.map((row) => toDto(row, latest.get(row.id)));
  }

  async get(id: string): Promise<WebhookDto> {
    const row = await this.#find(this.#db, id);
    const latest = await this.#latestDeliveries([id]);
    return toDto(row, latest.get(id));
  }

  async create(input: CreateWebhook, by: string | null): Promise<WebhookWithSecret> {
    await this.#checkHost(input.url);
    // The key is checked before anything is written: the check reads the store itself.
    const box = await this.#box('store');
    const id = `wh_${randomUUID()}`;
    const secret = newWebhookSecret();
    const row = await this.#db
      .insertInto('webhooks')
      .values({
        id,
        url: input.url,
        events: JSON.stringify(input.events),
        description: input.description,
        secret: box.seal(secret, webhookSecretContext(id)),
        created_by: by,
        created_at: new Date(this.#now()),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { webhook: toDto(row, undefined), secret };
  }

  async update(id: string, patch: UpdateWebhook): Promise<WebhookChange> {
    await this.#db.transaction().execute(async (trx) => {
      await this.#find(trx, id, { lock: true });
      await trx
        .updateTable('webhooks')
        .set({
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        })
        .where('id', '=', id)
        .execute();
    });
    return { webhook: await this.get(id) };
  }

  /**
   * Deletes the webhook (it is kept, marked deleted, so its deliveries still name it) and stops
   * its pending deliveries: they end `failed`, with the attempts they had.
   */
  async remove(id: string): Promise<WebhookChange> {
    const webhook = await this.get(id);
    await this.#db.transaction().execute(async (trx) => {
      await this.#find(trx, id, { lock: true });
      const now = new Date(this.#now());
      await trx.updateTable('webhooks').set({ deleted_at: now }).where('id', '=', id).execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({ state: 'failed', next_attempt_at: null, lease_owner: null, lease_until: null })
        .where('webhook_id', '=', id)
        .where('state', '=', 'pending')
        .execute();
    });
    return { webhook };
  }

  /**
   * A new signing secret, answered once. The one it replaces keeps signing beside it for
   * ROTATION_OVERLAP_MS; an older previous one (a second rotation within that time) stops now.
   */
  async rotate(id: string): Promise<WebhookWithSecret> {
    const box = await this.#box('store');
    const secret = newWebhookSecret();
    await this.#db.transaction().execute(async (trx) => {
      const row = await this.#find(trx, id, { lock: true });
      await trx
        .updateTable('webhooks')
        .set({
          secret: box.seal(secret, webhookSecretContext(id)),
          // Sealed for the same webhook: the sealed text moves as it is.
          previous_secret: row.secret,
          previous_until: new Date(this.#now() + ROTATION_OVERLAP_MS),
        })
        .where('id', '=', id)
        .execute();
    });
    return { webhook: await this.get(id), secret };
  }

  /** The latest deliveries of the webhook, newest first. */
  async deliveries(id: string): Promise<WebhookDeliveryDto[]> {
    await this.#find(this.#db, id);
    const rows = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(DELIVERY_LOG_LIMIT)
      .execute();
    return rows.map(toDeliveryDto);
  }

  /**
   * The secrets a delivery is signed with at `now`: the current one first, then the previous one
   * while its overlap lasts. Throws the secrets key's refusal (an ApiError) when they cannot open.
   */
  async signingSecrets(
    hook: Pick<WebhookRow, 'id' | 'secret' | 'previous_secret' | 'previous_until'>,
    now: number,
  ): Promise<string[]> {
    const box = await this.#box('use');
    const context = webhookSecretContext(hook.id);
    const open = (sealed: string) => {
      try {
        return this.#secrets.open(box, sealed, context);
      } catch (error) {
        throw secretsRefusal(error, 'use');
      }
    };
    const secrets = [open(hook.secret)];
    if (
      hook.previous_secret !== null &&
      hook.previous_until !== null &&
      new Date(hook.previous_until).getTime() > now
    ) {
      secrets.push(open(hook.previous_secret));
    }
    return secrets;
  }

  async #box(purpose: SecretsPurpose): Promise<SecretBox> {
    try {
      return await this.#secrets.box(purpose);
    } catch (error) {
      throw secretsRefusal(error, purpose);
    }
  }

  /** Refuses, before anything is stored, a URL whose host the deliveries could never reach. */
  async #checkHost(url: string): Promise<void> {
    try {
      await this.#guard.check(new URL(url).hostname, 'webhook host');
    } catch (error) {
      if (!(error instanceof GuardError || error instanceof FetchError)) throw error;
      throw new ApiError(
        400,
        'VALIDATION_FAILED',
        `The webhook URL cannot be used, so nothing was saved: ${error.message}`,
        { fieldErrors: { url: [error.message] } },
      );
    }
  }

  async #find(db: Kysely<Database>, id: string, { lock = false } = {}): Promise<WebhookRow> {
    let query = db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound(id);
    return row;
  }

  async #latestDeliveries(ids: string[]): Promise<Map<string, DeliveryRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .distinctOn('webhook_id')
      .where('webhook_id', 'in', ids)
      .orderBy('webhook_id')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return new Map(rows.map((row) => [row.webhook_id, row]));
  }
}
