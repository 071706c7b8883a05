/**
 * The epoch cache: exact on PGlite (every bump goes through this process); on PostgreSQL told of
 * another replica's bump by NOTIFY, well before its TTL, emptied and not kept while its LISTEN
 * connection is down, and heard again once it is back.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/harness.ts';
import { logQueries } from '../testing/storeQueries.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { bumpEpoch, EpochCache, SESSION_EPOCHS_CHANNEL } from './sessionEpochs.ts';
import { openStore, type Store } from './store.ts';

const at = new Date('2026-12-01T10:00:00Z');
/** Longer than any test here: what the cache learns, it learns from NOTIFY, not from expiry. */
const LONG_TTL = { ttlMs: 60_000 };

/** Sets the epoch behind the cache's back: no bump, no NOTIFY (as if one had been missed). */
async function setEpochQuietly(store: Store, username: string, epoch: number): Promise<void> {
  await store.db
    .insertInto('user_sessions')
    .values({ username, epoch, fingerprint: null, updated_at: at })
    .onConflict((oc) => oc.column('username').doUpdateSet({ epoch }))
    .execute();
}

const epochSelects = (log: ReturnType<typeof logQueries>) =>
  log.take().filter((q) => /^select "epoch" from "user_sessions"/.test(q.sql)).length;

describe('the epoch cache on PGlite', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await testStore({ kind: 'pglite' });
  }, 60_000);
  afterAll(() => store.close());

  it('reads each user once, and sees every bump made through its store at once', async () => {
    const log = logQueries(store);
    const cache = new EpochCache(log.store);
    expect(cache.keeping).toBe(true);
    expect(await cache.current('Olivia')).toBe(0);
    expect(await cache.current('olivia')).toBe(0);
    expect(epochSelects(log)).toBe(1);

    expect(await bumpEpoch(log.store, 'olivia', at)).toBe(1);
    expect(await cache.current('olivia')).toBe(1);
    expect(await cache.current('olivia')).toBe(1);
    expect(epochSelects(log)).toBe(1);
    // `fresh` reads the store whatever is kept.
    expect(await cache.current('olivia', { fresh: true })).toBe(1);
    expect(epochSelects(log)).toBe(1);
    cache.close();
  });

  it('keeps nothing once its store is closed: a read then fails rather than trusting the cache', async () => {
    const own = await testStore({ kind: 'pglite' });
    const cache = new EpochCache(own);
    expect(await cache.current('olivia')).toBe(0);
    await own.close();
    expect(cache.keeping).toBe(false);
    await expect(cache.current('olivia')).rejects.toThrow();
  }, 60_000);
});

describe('the epoch cache on PostgreSQL, between two replicas', () => {
  let a: TestStore;
  let b: Store;
  beforeAll(async () => {
    a = await testStore({ kind: 'postgres' });
    // Another replica: its own pool and listener on the same database.
    b = await openStore({ databaseUrl: a.url ?? '', dataDir: '', poolSize: 2 });
  }, 60_000);
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  async function listeningCache(store: Store): Promise<EpochCache> {
    const cache = new EpochCache(store, LONG_TTL);
    await eventually(() => Promise.resolve(cache.keeping ? true : undefined), 5_000, 5);
    return cache;
  }

  it('hears a bump on the other replica long before the TTL', async () => {
    const cache = await listeningCache(b);
    expect(await cache.current('nora')).toBe(0);
    // Kept: a change the cache is not told of is not seen.
    await setEpochQuietly(a, 'nora', 5);
    expect(await cache.current('nora')).toBe(0);

    const started = Date.now();
    expect(await bumpEpoch(a, 'Nora', at)).toBe(6);
    await eventually(
      async () => ((await cache.current('nora')) === 6 ? true : undefined),
      5_000,
      2,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    cache.close();
  });

  it('empties itself when its LISTEN connection drops, keeps nothing until it is back, then hears again', async () => {
    const cache = await listeningCache(b);
    expect(await cache.current('lena')).toBe(0);
    const lost = new Promise<void>((resolve) => {
      const unlisten = b.listen(SESSION_EPOCHS_CHANNEL, {
        onMessage: () => undefined,
        onLost: () => {
          unlisten();
          resolve();
        },
      });
    });
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = 'byoi-console listener'`.execute(
      a.db,
    );
    await lost;
    expect(cache.keeping).toBe(false);
    // A change made while nobody listened is seen at once: nothing was kept…
    await setEpochQuietly(a, 'lena', 3);
    expect(await cache.current('lena')).toBe(3);
    // …and nothing is kept while the connection is down.
    await setEpochQuietly(a, 'lena', 4);
    if (!cache.keeping) expect(await cache.current('lena')).toBe(4);

    await eventually(() => Promise.resolve(cache.keeping ? true : undefined), 10_000, 5);
    expect(await cache.current('lena')).toBe(4);
    expect(await bumpEpoch(a, 'lena', at)).toBe(5);
    await eventually(
      async () => ((await cache.current('lena')) === 5 ? true : undefined),
      5_000,
      2,
    );
    cache.close();
  }, 20_000);

  it('does not keep an epoch read while a bump was being heard', async () => {
    const cache = await listeningCache(b);
    // The read starts before the bump and ends after it: what it read may be the old epoch.
    const reading = cache.current('ines');
    cache.forget(['ines']);
    await reading;
    await setEpochQuietly(a, 'ines', 9);
    expect(await cache.current('ines')).toBe(9);
    cache.close();
  });
});
