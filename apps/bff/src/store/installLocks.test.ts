/**
 * The one-install-per-server lock on both engines: one holder at a time, also when many take it at
 * once from two replicas; only the holder releases it; a lease that ran out is taken over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logQueries } from '../testing/storeQueries.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { InstallLocks } from './installLocks.ts';

describe.each(['postgres', 'pglite'] as const)('install locks on %s', (kind) => {
  let opened: Promise<TestStore>;
  // The first store of a run may build the template database: longer than a test's timeout.
  beforeAll(async () => {
    opened = testStore({ kind });
    await opened;
  }, 60_000);
  afterAll(async () => (await opened).close());

  it('has one holder per server until released', async () => {
    const store = await opened;
    const locks = new InstallLocks(store);
    const lock = await locks.acquire('ns-a');
    expect(lock).not.toBeNull();
    expect(await locks.acquire('ns-a')).toBeNull();
    expect(await locks.acquire('ns-b')).not.toBeNull();
    await locks.release(lock!);
    expect(await locks.acquire('ns-a')).not.toBeNull();
  });

  it('takes and releases the locks of a wave of submits in one statement each, one holder per server', async () => {
    const log = logQueries(await opened);
    const locks = new InstallLocks({ db: log.store.db, replicaId: 'replica-wave' });
    const servers = Array.from({ length: 100 }, (_, i) => `ns-wave-${i}`);
    const taken = await Promise.all(servers.map((sn) => locks.acquire(sn)));
    expect(taken.map((lock) => lock?.server)).toEqual(servers);
    expect(new Set(taken.map((lock) => lock?.holder)).size).toBe(100);
    expect(log.take().map((q) => q.sql.split(' ')[0])).toEqual(['insert']);
    // Held: a second wave gets none of them.
    expect(
      (await Promise.all(servers.map((sn) => locks.acquire(sn)))).every((l) => l === null),
    ).toBe(true);
    log.take();
    await Promise.all(taken.map((lock) => locks.release(lock!)));
    expect(log.take().map((q) => q.sql.split(' ')[0])).toEqual(['delete']);
    expect(
      (await Promise.all(servers.map((sn) => locks.acquire(sn)))).every((l) => l !== null),
    ).toBe(true);
  });

  it('gives the lock to one of many submits taking it at once on two replicas', async () => {
    const store = await opened;
    const a = new InstallLocks({ db: store.db, replicaId: 'replica-a' });
    const b = new InstallLocks({ db: store.db, replicaId: 'replica-b' });
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).acquire('ns-race')),
    );
    expect(taken.filter((lock) => lock !== null)).toHaveLength(1);
  });

  it('takes over a lock whose holder died once its lease has run out, and the old holder cannot release it', async () => {
    const store = await opened;
    let now = Date.parse('2026-12-01T10:00:00Z');
    const dead = new InstallLocks(
      { db: store.db, replicaId: 'replica-dead' },
      { leaseMs: 60_000, now: () => now },
    );
    const alive = new InstallLocks(
      { db: store.db, replicaId: 'replica-alive' },
      { leaseMs: 60_000, now: () => now },
    );
    const old = await dead.acquire('ns-dead');
    expect(old).not.toBeNull();
    now += 59_000;
    expect(await alive.acquire('ns-dead')).toBeNull();
    now += 2_000;
    const taken = await alive.acquire('ns-dead');
    expect(taken?.holder).toMatch(/^replica-alive:/);
    // The dead holder coming back does not free what is no longer its own.
    await dead.release(old!);
    expect(await dead.acquire('ns-dead')).toBeNull();
    const row = await store.db
      .selectFrom('install_locks')
      .selectAll()
      .where('server', '=', 'ns-dead')
      .executeTakeFirstOrThrow();
    expect(row.holder).toBe(taken?.holder);
    expect(row.expires_at).toEqual(new Date(now + 60_000));
  });
});
