/**
 * Rollouts in the store on both engines: one driver at a time (a lease claimed with SKIP LOCKED,
 * also when two replicas claim at once), taken over once it runs out; every change through the
 * scheduler under the row lock, so concurrent steps never start more than maxInFlight installs;
 * refused steps change nothing; the timeline and the webhook notifications of a decision are
 * written with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutPlanSchema, type WebhookEventType } from '@byoi/shared';
import { testStore, type TestStore } from '../testing/testStore.ts';
import type { Notifier } from '../webhooks/notifier.ts';
import { Rollouts, type NewRollout } from './rollouts.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function newRollout(id: string, servers: number, now = T0): NewRollout {
  return {
    id,
    name: `rollout ${id}`,
    plan: rolloutPlanSchema.parse({ canary: 0, batchSize: 4, maxInFlight: 2, onBlocked: 'skip' }),
    form: '{}',
    image: {
      imageURL: 'https://images.example/debian.qcow2',
      imageType: 'qcow2',
      imageCheckSum: null,
      imageCheckSumType: null,
      checksumFileURL: null,
      efiBootloaderPath: null,
      httpHeaderNames: [],
      libraryImage: null,
    },
    route: 'reinstall',
    user: { username: 'olivia', role: 'operator' },
    servers: Array.from({ length: servers }, (_, i) => ({
      name: `ns${i}.${id}.eu`,
      displayName: null,
      datacenter: 'gra3',
    })),
    now,
  };
}

describe.each(['postgres', 'pglite'] as const)('rollouts on %s', (kind) => {
  let opened: Promise<TestStore>;
  beforeAll(async () => {
    opened = testStore({ kind });
    await opened;
  }, 60_000);
  afterAll(async () => (await opened).close());

  async function ready(rollouts: Rollouts, id: string, servers: number) {
    await rollouts.create(newRollout(id, servers));
    await rollouts.apply(id, { kind: 'check', at: T0 });
    const verdicts = Array.from({ length: servers }, (_, i) => ({
      server: `ns${i}.${id}.eu`,
      verdict: 'ok' as const,
    }));
    await rollouts.apply(id, { kind: 'preflightDone', at: T0, verdicts });
  }

  it('lets one replica drive a rollout at a time, and another once the lease has run out', async () => {
    const store = await opened;
    const rollouts = new Rollouts(store.db);
    await rollouts.create(newRollout('lease', 2));
    expect(await rollouts.claim('replica-a', T0, 30_000, 10)).toContain('lease');
    expect(await rollouts.claim('replica-b', T0 + 1_000, 30_000, 10)).not.toContain('lease');
    // Renewed by its holder.
    expect(await rollouts.claim('replica-a', T0 + 20_000, 30_000, 10)).toContain('lease');
    expect(await rollouts.claim('replica-b', T0 + 40_000, 30_000, 10)).not.toContain('lease');
    expect(await rollouts.claim('replica-b', T0 + 51_000, 30_000, 10)).toContain('lease');
    // A stopping replica gives its leases back at once.
    await rollouts.release('replica-b');
    expect(await rollouts.claim('replica-c', T0 + 52_000, 30_000, 10)).toContain('lease');
  });

  it('gives a rollout to exactly one of two replicas claiming at the same moment', async () => {
    const store = await opened;
    const rollouts = new Rollouts(store.db);
    await rollouts.create(newRollout('race', 1, T0 + 1));
    const now = T0 + 10 * 60_000;
    const claims = await Promise.all(
      ['a', 'b', 'a', 'b', 'a', 'b'].map((owner) =>
        rollouts.claim(`race-${owner}`, now, 30_000, 100),
      ),
    );
    const owners = new Set(
      claims.flatMap((ids, i) => (ids.includes('race') ? [i % 2 === 0 ? 'a' : 'b'] : [])),
    );
    expect(owners.size).toBe(1);
  });

  it('never starts more than maxInFlight installs when steps race, and a refused step changes nothing', async () => {
    const store = await opened;
    const rollouts = new Rollouts(store.db);
    await ready(rollouts, 'inflight', 8);
    const started = await rollouts.apply('inflight', { kind: 'start', at: T0 + 1 });
    expect(started?.actions.filter((a) => a.kind === 'startInstall')).toHaveLength(2);
    const ticks = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        rollouts.apply('inflight', { kind: 'tick', at: T0 + 2 + i }),
      ),
    );
    expect(ticks.flatMap((t) => t?.actions ?? [])).toEqual([]);
    const rows = await rollouts.servers('inflight');
    expect(rows.filter((r) => r.state === 'installing')).toHaveLength(2);
    expect(rows.filter((r) => r.claimed_at !== null)).toHaveLength(2);

    const version = (await rollouts.row('inflight'))?.version;
    const refused = await rollouts.apply('inflight', { kind: 'resume', at: T0 + 9 });
    expect(refused?.error?.code).toBe('invalidTransition');
    expect((await rollouts.row('inflight'))?.version).toBe(version);
  });

  it('writes the timeline and queues the notifications in the decision’s transaction', async () => {
    const store = await opened;
    const emitted: WebhookEventType[] = [];
    const notifier: Notifier = {
      emit: (_db, type) => {
        emitted.push(type);
        return Promise.resolve();
      },
    };
    const rollouts = new Rollouts(store.db, { notifier });
    await ready(rollouts, 'told', 1);
    await rollouts.apply('told', { kind: 'start', at: T0 + 1 });
    await rollouts.apply(
      'told',
      { kind: 'installStarted', at: T0 + 2, server: 'ns0.told.eu' },
      {
        facts: [{ server: 'ns0.told.eu', installId: 'install-1', taskId: 42 }],
      },
    );
    await rollouts.apply('told', {
      kind: 'installEnded',
      at: T0 + 3,
      server: 'ns0.told.eu',
      outcome: 'done',
    });
    expect(emitted).toEqual(['rollout.started', 'rollout.done']);
    const row = await rollouts.row('told');
    expect(row).toMatchObject({ state: 'done', needs_driver: false });
    expect(row?.ended_at?.getTime()).toBe(T0 + 3);
    const [server] = await rollouts.servers('told');
    expect(server).toMatchObject({ install_id: 'install-1', task_id: 42, state: 'done' });
    const kinds = (await rollouts.events('told', 50)).map((e) => e.kind);
    expect(kinds).toEqual([
      'created',
      'checking',
      'checked',
      'started',
      'install-requested',
      'install-started',
      'install-done',
      'rollout.done',
    ]);

    // A notifier that fails undoes the whole decision: no change without its notification.
    const failing = new Rollouts(store.db, {
      notifier: { emit: () => Promise.reject(new Error('outbox down')) },
    });
    await ready(failing, 'undone', 1);
    await expect(failing.apply('undone', { kind: 'start', at: T0 + 1 })).rejects.toThrow(
      'outbox down',
    );
    expect((await failing.row('undone'))?.state).toBe('ready');
  });

  it('pages the history newest first with counts per state', async () => {
    const store = await opened;
    const rollouts = new Rollouts(store.db);
    const page = await rollouts.list(2, null);
    expect(page.rows).toHaveLength(2);
    expect(page.rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(
      page.rows[1]!.created_at.getTime(),
    );
    const next = await rollouts.list(100, {
      createdAt: page.rows[1]!.created_at,
      id: page.rows[1]!.id,
    });
    const ids = [...page.rows, ...next.rows].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const counts = page.counts.get(page.rows[0]!.id);
    expect(counts?.total).toBeGreaterThan(0);
  });
});
