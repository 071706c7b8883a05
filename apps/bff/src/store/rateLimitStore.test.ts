/**
 * The rate-limit counters in the store, on both engines: two replicas' stores count the same hits,
 * a window starts at the first hit and a new one once it is over, parallel hits each get their own
 * count, limiters stay apart by prefix, and rows of windows that are over are swept.
 */
import type { Options } from 'express-rate-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/harness.ts';
import { testStore } from '../testing/testStore.ts';
import type { Store } from './store.ts';
import { SharedRateLimitStore } from './rateLimitStore.ts';

const WINDOW_MS = 60_000;

describe.each(['postgres', 'pglite'] as const)('rate-limit counters on %s', (kind) => {
  let opened: Promise<Store>;
  // PGlite's first start compiles its WebAssembly: more than a test's 5 s on a busy machine.
  beforeAll(async () => {
    opened = testStore({ kind });
    await opened;
  }, 60_000);
  afterAll(async () => (await opened).close());

  let t = Date.parse('2026-12-01T10:00:00Z');
  const counter = async (prefix: string) => {
    const limiter = new SharedRateLimitStore(await opened, { prefix, now: () => t });
    limiter.init({ windowMs: WINDOW_MS } as Options);
    return limiter;
  };

  it('counts the hits of every replica in one window, then starts a new one', async () => {
    const [a, b] = [await counter('login:'), await counter('login:')];
    const start = t;
    expect(await a.increment('ip-1')).toEqual({
      totalHits: 1,
      resetTime: new Date(start + WINDOW_MS),
    });
    t += 10_000;
    expect((await b.increment('ip-1')).totalHits).toBe(2);
    expect(await a.get('ip-1')).toEqual({ totalHits: 2, resetTime: new Date(start + WINDOW_MS) });
    await b.decrement('ip-1');
    expect((await a.get('ip-1'))?.totalHits).toBe(1);

    t = start + WINDOW_MS; // the window is over: the next hit is the first of a new one
    expect(await a.get('ip-1')).toBeUndefined();
    expect(await b.increment('ip-1')).toEqual({
      totalHits: 1,
      resetTime: new Date(t + WINDOW_MS),
    });
    await a.resetKey('ip-1');
    expect(await b.get('ip-1')).toBeUndefined();
  });

  it('gives parallel hits on two replicas each their own count', async () => {
    const [a, b] = [await counter('burst:'), await counter('burst:')];
    const counts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).increment('user-1')),
    );
    expect(counts.map((c) => c.totalHits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('keeps limiters apart by prefix', async () => {
    const [install, preflight] = [await counter('install:'), await counter('preflight:')];
    await install.increment('user-2');
    await install.increment('user-2');
    expect((await preflight.increment('user-2')).totalHits).toBe(1);
    expect((await install.get('user-2'))?.totalHits).toBe(2);
  });

  it('sweeps the rows of windows that are over', async () => {
    const store = await opened;
    const old = await counter('old:');
    await old.increment('gone');
    t += 2 * WINDOW_MS;
    // A fresh store instance sweeps at its first hit (then once a minute).
    await (await counter('other:')).increment('kept');
    const keys = await eventually(async () => {
      const rows = await store.db.selectFrom('rate_limit_hits').select('key').execute();
      const found = rows.map((r) => r.key);
      return found.includes('old:gone') ? undefined : found;
    });
    expect(keys).toContain('other:kept');
  });
});
