/**
 * The outbox on the real store (PGlite and PostgreSQL) against a real receiver that verifies every
 * signature: emit queues a row per subscribed, enabled webhook; the worker delivers, retries what
 * may pass later (honouring Retry-After), stops on a refusal, signs with both secrets during a
 * rotation, takes over a dead replica's lease, and two replicas deliver each event exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/auditLog.ts';
import { createAddressGuard } from '../preflight/addressGuard.ts';
import { openStore, type Store, type StoreKind } from '../store/store.ts';
import { captureLog, eventually } from '../testing/harness.ts';
import { testServerUrl, testStore, type TestStore } from '../testing/testStore.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhookReceiver.ts';
import type { WebhookEventType } from './event.ts';
import { createGuardedPost, type GuardedPost } from './guardedPost.ts';
import { createWebhooks, type Webhooks, type WebhooksOptions } from './index.ts';
import { WebhookOutbox } from './outbox.ts';
import { verify, type HeaderBag } from './signature.ts';
import { ROTATION_OVERLAP_MS } from './webhookRegistry.ts';

const FAST = { baseDelayMs: 20, maxDelayMs: 5 * 60_000, jitter: 0 };

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

/** One key for the file: a store remembers the key its first secret was sealed with. */
const SECRETS_KEY = randomBytes(32);
const config = (mode: 'simulator' | 'real' = 'simulator') => ({
  mode,
  preflightAllowHosts: [],
  secretsKey: SECRETS_KEY,
  dataDir: mkdtempSync(path.join(os.tmpdir(), 'byoi-webhooks-')),
  webhookPollMs: 20,
});

const postgresUrl = await testServerUrl();
// PostgreSQL where one is reachable (scripts/test.sh starts one); PGlite always.
const kinds: StoreKind[] = postgresUrl === null ? ['pglite'] : ['pglite', 'postgres'];

describe.each(kinds)('the outbox on %s', (kind) => {
  let store: TestStore;
  let hooks: Webhooks;
  let lines: string[];

  // One store per kind (a PGlite takes seconds to make), emptied before each test.
  beforeAll(async () => {
    store = await testStore({ kind });
  }, 120_000);
  afterAll(() => store?.close());
  beforeEach(async () => {
    await store.db.deleteFrom('webhook_deliveries').execute();
    await store.db.deleteFrom('webhooks').execute();
    ({ hooks, lines } = build(store));
  });
  afterEach(() => hooks?.close());

  function build(on: Store, options: Partial<WebhooksOptions> = {}) {
    const log = captureLog();
    const made = createWebhooks({
      store: on,
      config: config(),
      logger: log.logger,
      audit: new AuditLog(on, log.logger),
      retry: FAST,
      timeoutMs: 2_000,
      start: false,
      ...options,
    });
    return { hooks: made, lines: log.lines };
  }

  async function register(events?: WebhookEventType[], url = receiver.url) {
    const { webhook, secret } = await hooks.registry.create(
      { url, events: events ?? ['install.finished'], description: '' },
      'olivia',
    );
    receiver.secrets.push(secret);
    return { webhook, secret };
  }

  const rows = () =>
    store.db.selectFrom('webhook_deliveries').selectAll().orderBy('created_at').execute();

  const finished = (n = 1) =>
    hooks.notifier.emit(store.db, 'install.finished', {
      server: 'ns1.example',
      installId: `inst-${n}`,
      taskId: n,
      outcome: 'done',
      message: null,
      user: 'olivia',
    });

  it('emit queues one row per enabled, subscribed webhook, with the exact body to send', async () => {
    const subscribed = await register(['install.finished', 'rollout.done']);
    await register(['rollout.done']);
    const disabled = await register(['install.finished']);
    await hooks.registry.update(disabled.webhook.id, { enabled: false });
    const deleted = await register(['install.finished']);
    await hooks.registry.remove(deleted.webhook.id);

    const now = Date.parse('2026-03-01T10:00:00Z');
    await hooks.notifier.emit(store.db, 'install.finished', { server: 'ns1.example' }, now);
    const queued = await rows();
    expect(queued).toHaveLength(1);
    const [row] = queued;
    expect(row).toMatchObject({
      webhook_id: subscribed.webhook.id,
      event_type: 'install.finished',
      state: 'pending',
      attempts: [],
      lease_owner: null,
    });
    expect(row?.next_attempt_at).toEqual(new Date(now));
    expect(JSON.parse(row?.body ?? '')).toEqual({
      id: row?.event_id,
      type: 'install.finished',
      createdAt: '2026-03-01T10:00:00.000Z',
      data: { server: 'ns1.example' },
    });
    // Nobody subscribed to this one: nothing is queued.
    await hooks.notifier.emit(store.db, 'rollout.aborted', {});
    expect(await rows()).toHaveLength(1);
  });

  it('emit in a transaction queues only if that transaction commits', async () => {
    await register();
    await store.db
      .transaction()
      .execute(async (trx) => {
        await hooks.notifier.emit(trx, 'install.finished', { server: 'ns1.example' });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    expect(await rows()).toHaveLength(0);
  });

  it('delivers a signed POST that the receiver verifies, and logs the attempt', async () => {
    const { webhook } = await register();
    await finished();
    expect(await hooks.outbox.poll()).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got?.path).toBe('/hooks/byoi?team=ops');
    expect(got?.verifiedWith).toHaveLength(1);
    expect(got?.headers['content-type']).toBe('application/json');
    const [row] = await rows();
    expect(got?.body).toBe(row?.body);
    expect(got?.headers['x-byoi-webhook-id']).toBe(row?.event_id);
    expect(JSON.parse(got?.body ?? '').data).toEqual({
      server: 'ns1.example',
      installId: 'inst-1',
      taskId: 1,
      outcome: 'done',
      message: null,
      user: 'olivia',
    });
    expect(row).toMatchObject({ state: 'delivered', next_attempt_at: null, lease_owner: null });

    const [delivery] = await hooks.registry.deliveries(webhook.id);
    expect(delivery).toEqual({
      id: row?.id,
      eventId: row?.event_id,
      event: 'install.finished',
      createdAt: expect.any(String),
      state: 'delivered',
      nextAttemptAt: null,
      attempts: [
        {
          attempt: 1,
          at: expect.any(String),
          durationMs: expect.any(Number),
          status: 200,
          error: null,
        },
      ],
    });
    expect((await hooks.registry.get(webhook.id)).lastDelivery).toEqual({
      at: delivery?.attempts[0]?.at,
      state: 'delivered',
      status: 200,
    });
    // Delivered rows are not sent again.
    expect(await hooks.outbox.poll()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries a 500 after the backoff, then delivers the same bytes', async () => {
    const { webhook } = await register();
    receiver.script({ status: 500 });
    await finished();
    await hooks.outbox.poll();
    const [first] = await rows();
    expect(first).toMatchObject({ state: 'pending', lease_owner: null });
    expect(first?.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 500 })]);
    const wait =
      (first?.next_attempt_at?.getTime() ?? 0) - Date.parse(first?.attempts[0]?.at ?? '');
    expect(wait).toBeGreaterThanOrEqual(FAST.baseDelayMs);

    await eventually(async () => {
      await hooks.outbox.poll();
      return (await rows())[0]?.state === 'delivered' ? true : undefined;
    });
    expect(receiver.received.map((r) => r.verifiedWith.length)).toEqual([1, 1]);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const [delivery] = await hooks.registry.deliveries(webhook.id);
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(lines.some((l) => l.includes('it will be retried'))).toBe(true);
  });

  it('stops at a 400: the receiver refused it, it is never retried', async () => {
    await register();
    receiver.script({ status: 400 });
    await finished();
    await hooks.outbox.poll();
    await new Promise((r) => setTimeout(r, 3 * FAST.baseDelayMs));
    await hooks.outbox.poll();
    expect(receiver.received).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ state: 'failed', next_attempt_at: null });
    expect(row?.attempts).toEqual([expect.objectContaining({ status: 400 })]);
  });

  it('gives up after the last attempt of the policy', async () => {
    ({ hooks } = build(store, { retry: { ...FAST, maxAttempts: 3 } }));
    await register();
    receiver.script({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await finished();
    await eventually(async () => {
      await hooks.outbox.poll();
      return (await rows())[0]?.state === 'pending' ? undefined : true;
    });
    const [row] = await rows();
    expect(row?.state).toBe('failed');
    expect(row?.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(receiver.received).toHaveLength(3);
  });

  it('waits as long as Retry-After asks before the next attempt', async () => {
    await register();
    receiver.script({ status: 503, headers: { 'retry-after': '1' } });
    await finished();
    await hooks.outbox.poll();
    const [row] = await rows();
    const attemptAt = Date.parse(row?.attempts[0]?.at ?? '');
    expect((row?.next_attempt_at?.getTime() ?? 0) - attemptAt).toBeGreaterThanOrEqual(1_000);
    // Not due yet: a round sends nothing.
    expect(await hooks.outbox.poll()).toBe(0);
    await eventually(async () => {
      await hooks.outbox.poll();
      return (await rows())[0]?.state === 'delivered' ? true : undefined;
    }, 5_000);
    const [first, second] = receiver.received;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('during a rotation signs with the new and the old secret, each verifying on its own', async () => {
    const { webhook, secret: old } = await register();
    const { secret: next } = await hooks.registry.rotate(webhook.id);
    expect(next).not.toBe(old);
    receiver.secrets = [old, next];
    await finished();
    await hooks.outbox.poll();
    const [got] = receiver.received;
    expect(got?.verifiedWith).toEqual([old, next]);
    expect(got?.signatures).toHaveLength(2);
    // Each value alone verifies with exactly one of the two secrets: the new one first.
    const alone = (value: string) =>
      receiver.secrets.filter((s) => {
        const headers = { ...got?.headers, 'x-byoi-signature': value };
        return verifyWith(s, headers, got?.body ?? '');
      });
    expect(got?.signatures.map(alone)).toEqual([[next], [old]]);

    // Once the overlap is over, only the new secret signs.
    await store.db
      .updateTable('webhooks')
      .set({ previous_until: new Date(Date.now() - 1) })
      .where('id', '=', webhook.id)
      .execute();
    receiver.received.length = 0;
    await finished(2);
    await hooks.outbox.poll();
    expect(receiver.received[0]?.verifiedWith).toEqual([next]);
    expect(receiver.received[0]?.signatures).toHaveLength(1);
    const stored = await store.db
      .selectFrom('webhooks')
      .select(['previous_until'])
      .where('id', '=', webhook.id)
      .executeTakeFirstOrThrow();
    expect(stored.previous_until).not.toBeNull();
    expect(ROTATION_OVERLAP_MS).toBe(24 * 60 * 60_000);
  });

  it('leaves a live lease alone and takes the row over once the lease has run out', async () => {
    await register();
    await finished();
    // A replica claimed it and died mid-attempt: its lease is still running.
    await store.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: 'dead-replica', lease_until: new Date(Date.now() + 400) })
      .execute();
    expect(await hooks.outbox.poll()).toBe(0);
    expect(receiver.received).toHaveLength(0);
    await eventually(async () => ((await hooks.outbox.poll()) === 1 ? true : undefined), 3_000);
    expect(receiver.received).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ state: 'delivered', lease_owner: null });
  });

  it('does not record an attempt over a lease another replica took over', async () => {
    await register();
    await finished();
    const slowPost: GuardedPost = async (url, body, headers) => {
      // The lease is taken over while this attempt is on the wire.
      await store.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: 'other-replica' })
        .execute();
      return post(url, body, headers);
    };
    const post = createGuardedPost({
      guard: createAddressGuard({ allowHosts: [], allowLoopback: true }),
      timeoutMs: 2_000,
    });
    const log = captureLog();
    const outbox = new WebhookOutbox({
      store,
      post: slowPost,
      registry: hooks.registry,
      logger: log.logger,
      retry: FAST,
    });
    await outbox.poll();
    expect(receiver.received).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ state: 'pending', attempts: [] });
    expect(log.lines.some((l) => l.includes('taken over by another replica'))).toBe(true);
  });

  it('stops the pending deliveries of a deleted webhook, and holds those of a disabled one', async () => {
    const gone = await register();
    const paused = await register();
    await finished();
    await hooks.registry.remove(gone.webhook.id);
    await hooks.registry.update(paused.webhook.id, { enabled: false });
    expect(await hooks.outbox.poll()).toBe(0);
    expect(receiver.received).toHaveLength(0);
    const state = async (id: string) =>
      (
        await store.db
          .selectFrom('webhook_deliveries')
          .select('state')
          .where('webhook_id', '=', id)
          .executeTakeFirstOrThrow()
      ).state;
    expect(await state(gone.webhook.id)).toBe('failed');
    expect(await state(paused.webhook.id)).toBe('pending');
    await hooks.registry.update(paused.webhook.id, { enabled: true });
    expect(await hooks.outbox.poll()).toBe(1);
    expect(await state(paused.webhook.id)).toBe('delivered');
  });

  it('refuses, at delivery too, a host the guard does not allow, and sends nothing', async () => {
    await register();
    await finished();
    const log = captureLog();
    const outbox = new WebhookOutbox({
      store,
      post: createGuardedPost({
        guard: createAddressGuard({ allowHosts: [], allowLoopback: false }),
        timeoutMs: 2_000,
      }),
      registry: hooks.registry,
      logger: log.logger,
    });
    await outbox.poll();
    expect(receiver.received).toHaveLength(0);
    const [row] = await rows();
    expect(row?.state).toBe('refused');
    expect(row?.attempts[0]?.error).toMatch(/127\.0\.0\.1 is a loopback address/);
  });

  it('runs rounds on its own until the shutdown signal', async () => {
    const shutdown = new AbortController();
    ({ hooks } = build(store, { start: true, shutdown: shutdown.signal, pollMs: 10 }));
    await register();
    await finished(1);
    await eventually(() => Promise.resolve(receiver.received.length === 1 ? true : undefined));
    shutdown.abort();
    await hooks.close();
    await finished(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(1);
  });

  it('never writes a secret to the store in the clear, nor to a log line', async () => {
    const { webhook, secret } = await register();
    const { secret: next } = await hooks.registry.rotate(webhook.id);
    receiver.script({ status: 500 }, { status: 400 });
    await finished();
    await hooks.outbox.poll();
    await eventually(async () => {
      await hooks.outbox.poll();
      return (await rows())[0]?.state === 'pending' ? undefined : true;
    });
    const dump = JSON.stringify({
      hooks: await store.db.selectFrom('webhooks').selectAll().execute(),
      deliveries: await rows(),
      lines,
      list: await hooks.registry.list(),
      deliveriesDto: await hooks.registry.deliveries(webhook.id),
    });
    for (const s of [secret, next]) expect(dump).not.toContain(s.slice('whsec_'.length));
  });
});

function verifyWith(secret: string, headers: HeaderBag, body: string): boolean {
  return verify(secret, headers, body).ok;
}

describe.skipIf(postgresUrl === null)('two replicas on one PostgreSQL', () => {
  let a: TestStore;
  let b: Store;
  beforeEach(async () => {
    a = await testStore({ kind: 'postgres' });
    b = await openStore({ databaseUrl: a.url ?? '', dataDir: '', poolSize: 5 });
  });
  afterEach(async () => {
    await b.close();
    await a.close();
  });

  it('deliver each event exactly once between them', async () => {
    expect(a.replicaId).not.toBe(b.replicaId);
    const log = captureLog();
    const sent = new Map<string, number>();
    const countingPost = (replica: string): GuardedPost => {
      const post = createGuardedPost({
        guard: createAddressGuard({ allowHosts: [], allowLoopback: true }),
        timeoutMs: 2_000,
      });
      return (url, body, headers) => {
        sent.set(replica, (sent.get(replica) ?? 0) + 1);
        return post(url, body, headers);
      };
    };
    const made = createWebhooks({
      store: a,
      config: config(),
      logger: log.logger,
      audit: new AuditLog(a, log.logger),
      start: false,
    });
    const first = await made.registry.create(
      { url: receiver.url, events: ['rollout.done'], description: 'one' },
      null,
    );
    const second = await made.registry.create(
      { url: `${receiver.url}&second`, events: ['rollout.done'], description: 'two' },
      null,
    );
    receiver.secrets = [first.secret, second.secret];
    // Each request takes a while, so both replicas have rounds in flight at once.
    receiver.script(...Array.from({ length: 80 }, () => ({ status: 200, delayMs: 15 })));
    const outboxes = [a, b].map(
      (store) =>
        new WebhookOutbox({
          store,
          post: countingPost(store.replicaId),
          registry: made.registry,
          logger: log.logger,
          pollMs: 5,
          batch: 3,
        }),
    );
    for (let n = 0; n < 30; n++) await made.notifier.emit(a.db, 'rollout.done', { n });
    for (const outbox of outboxes) outbox.start();
    try {
      await eventually(async () => {
        const left = await sql<{ n: number }>`
          select count(*)::int as n from webhook_deliveries where state <> 'delivered'`.execute(
          a.db,
        );
        return left.rows[0]?.n === 0 ? true : undefined;
      }, 20_000);
    } finally {
      await Promise.all(outboxes.map((o) => o.close()));
    }
    expect(receiver.received).toHaveLength(60);
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const perHookAndEvent = new Set(
      receiver.received.map((r) => `${r.path} ${String(r.headers['x-byoi-webhook-id'])}`),
    );
    expect(perHookAndEvent.size).toBe(60);
    const attempts = await a.db.selectFrom('webhook_deliveries').select('attempts').execute();
    expect(attempts.every((row) => row.attempts.length === 1)).toBe(true);
    expect([...sent.values()].reduce((x, y) => x + y, 0)).toBe(60);
    expect(sent.get(a.replicaId)).toBeGreaterThan(0);
    expect(sent.get(b.replicaId)).toBeGreaterThan(0);
  }, 30_000);
});
