/**
 * The audit log on the store, on both engines: entries batched into multi-row inserts and resolved
 * once committed, pages newest first with cursors both ways and the filters in SQL, two replicas
 * in one log, the append-only table and its retention, the import of a legacy file, what a failed
 * insert does, and what a page costs among 100,000 entries.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryDto, AuditEvent, AuditListResponse, AuditOutcome } from '@byoi/shared';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { AuditLog, type AuditLogger } from './auditLog.ts';
import { readPage } from './auditPage.ts';
import { AuditQueryError, parseAuditQuery } from './auditQuery.ts';
import { deleteAuditEntriesBefore, startAuditRetention } from './auditRetention.ts';
import { insertRows, toRow } from './auditRow.ts';
import { measureAuditInserts } from './auditThroughput.ts';
import { importLegacyAuditFile } from './legacyImport.ts';
import { RefusalAggregator } from './refusalAggregate.ts';

interface Logged {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

function capture(): AuditLogger & { warn: AuditLogger['error']; lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

const T0 = Date.UTC(2026, 10, 26);

function entry(i: number, more: Partial<AuditEntryDto> = {}): AuditEntryDto {
  return {
    id: `e${i}`,
    time: new Date(T0 + i * 1000).toISOString(),
    event: 'sign-in',
    outcome: 'success',
    user: `user${i % 7}`,
    role: 'operator',
    ip: '10.0.0.1',
    method: 'POST',
    route: '/api/session',
    status: 200,
    ...more,
  };
}

const ids = (page: { entries: AuditEntryDto[] }) => page.entries.map((e) => e.id);

async function storedIds(store: TestStore): Promise<string[]> {
  const rows = await store.db.selectFrom('audit_entries').select('id').orderBy('seq').execute();
  return rows.map((r) => r.id);
}

/** Every page from the newest on, following nextCursor. */
async function walkOlder(log: AuditLog, query: Record<string, string>) {
  const pages: AuditListResponse[] = [await log.page(parseAuditQuery(query))];
  for (let p = pages[0]; p?.nextCursor; p = pages.at(-1)) {
    pages.push(await log.page(parseAuditQuery({ ...query, cursor: p.nextCursor })));
  }
  return pages;
}

/**
 * An empty audit table, its sequence back at 1: the engine takes seconds to start (PGlite), this
 * takes milliseconds. The tests own the store, so they may lift the no-truncate rule for it.
 */
async function emptyAuditTable(store: TestStore): Promise<void> {
  await sql`alter table audit_entries disable trigger audit_entries_no_truncate`.execute(store.db);
  await sql`truncate audit_entries restart identity`.execute(store.db);
  await sql`alter table audit_entries enable trigger audit_entries_no_truncate`.execute(store.db);
}

describe.each(['postgres', 'pglite'] as const)('the audit log on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await testStore({ kind });
  }, 60_000);
  afterAll(() => store.close());
  beforeEach(() => emptyAuditTable(store));

  it('batches entries recorded during an insert into one more insert, each resolved once committed', async () => {
    const logger = capture();
    const log = new AuditLog(store, logger);
    const first = log.recordDurably(entry(0));
    await new Promise((r) => setImmediate(r));
    // Recorded while the first insert is in flight: all in the next one.
    const burst = Array.from({ length: 199 }, (_, i) => log.recordDurably(entry(i + 1)));
    expect(await first).toBe('e0');
    expect(await storedIds(store)).toContain('e0');
    await Promise.all(burst);
    expect(await storedIds(store)).toEqual(Array.from({ length: 200 }, (_, i) => `e${i}`));
    expect(log.stats).toEqual({ inserts: 2, stored: 200, lost: 0 });
    // Each entry is on the log stream too, whole, for log shippers.
    const logged = logger.lines.filter((l) => 'audit' in l.obj);
    expect(logged).toHaveLength(200);
    expect(logged[5]).toMatchObject({
      obj: { audit: entry(5) },
      msg: 'audit sign-in success by user5',
    });
    // The row holds the whole entry, and beside it what the filters use.
    const row = await store.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('id', '=', 'e3')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ event: 'sign-in', outcome: 'success', username: 'user3' });
    expect(row.time.toISOString()).toBe(entry(3).time);
    expect(row.entry).toEqual(entry(3));
    expect(await log.recent(2)).toEqual([entry(199), entry(198)]);
  });

  it('shares one insert among the entries recorded in one turn of the event loop', async () => {
    const log = new AuditLog(store, capture());
    await Promise.all([1, 2, 3].map((i) => log.recordDurably(entry(i))));
    expect(log.stats).toEqual({ inserts: 1, stored: 3, lost: 0 });
    expect(await storedIds(store)).toEqual(['e1', 'e2', 'e3']);
  });

  it('gives an id to an entry without one, synchronously', async () => {
    const log = new AuditLog(store, capture());
    const { id: _, ...anonymous } = entry(1);
    const id = log.record(anonymous);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await log.flush();
    expect(await storedIds(store)).toEqual([id]);
  });

  it('pages newest first through 300 entries with cursors both ways', async () => {
    const log = new AuditLog(store, capture());
    for (let i = 0; i < 300; i += 1) {
      log.record(entry(i, { event: i % 3 === 0 ? 'install' : 'sign-in' }));
    }
    const pages = await walkOlder(log, { limit: '40' });
    expect(pages.map((p) => p.entries.length)).toEqual([40, 40, 40, 40, 40, 40, 40, 20]);
    expect(pages.flatMap(ids)).toEqual(Array.from({ length: 300 }, (_, i) => `e${299 - i}`));
    expect(pages[0]?.prevCursor).toBeNull();
    expect(pages.at(-1)?.nextCursor).toBeNull();
    // Back from the oldest page to the newest, following prevCursor: the same pages.
    const back: AuditListResponse[] = [pages.at(-1)!];
    for (let p = back[0]; p?.prevCursor; p = back.at(-1)) {
      back.push(await log.page(parseAuditQuery({ limit: '40', cursor: p.prevCursor })));
    }
    expect(back.map(ids).reverse()).toEqual(pages.map(ids));
    expect(back.at(-1)?.nextCursor).toBe(pages[0]?.nextCursor);
    // A newer entry since: the page that was the newest now has a newer one before it.
    log.record(entry(300, { event: 'install' }));
    const again = await log.page(
      parseAuditQuery({ limit: '40', cursor: pages[1]?.prevCursor ?? '' }),
    );
    expect(ids(again)).toEqual(ids(pages[0]!));
    expect(again.prevCursor).not.toBeNull();
    expect(
      ids(await log.page(parseAuditQuery({ limit: '40', cursor: again.prevCursor ?? '' }))),
    ).toEqual(['e300']);

    // Under a filter, both ways.
    const installs = await walkOlder(log, { event: 'install', limit: '30' });
    expect(installs.map((p) => p.entries.length)).toEqual([30, 30, 30, 11]);
    expect(installs.flatMap(ids)).toEqual(Array.from({ length: 101 }, (_, i) => `e${300 - i * 3}`));
    const up = await log.page(
      parseAuditQuery({ event: 'install', limit: '30', cursor: installs[3]?.prevCursor ?? '' }),
    );
    expect(ids(up)).toEqual(ids(installs[2]!));
  });

  it('filters: user and server as parts in any case, events and outcomes as lists, from inclusive and to exclusive', async () => {
    const log = new AuditLog(store, capture());
    const events: AuditEvent[] = ['sign-in', 'preflight', 'install', 'cancel'];
    const outcomes: AuditOutcome[] = ['success', 'failure', 'refused'];
    for (let i = 0; i < 24; i += 1) {
      log.record(
        entry(i, {
          event: events[i % 4],
          outcome: outcomes[i % 3],
          user: i === 5 ? 'Olivia_Ops' : i === 6 ? 'oliviaXops' : `user${i % 3}`,
          server: i % 2 === 0 ? `NS${1000 + i}.ip-51-91.EU` : undefined,
        }),
      );
    }
    const found = async (query: Record<string, string>) =>
      ids(await log.page(parseAuditQuery(query)));
    expect(await found({ user: 'OLIVIA' })).toEqual(['e6', 'e5']);
    // `_` is an underscore, not LIKE's any-character.
    expect(await found({ user: 'a_o' })).toEqual(['e5']);
    expect(await found({ user: '%' })).toEqual([]);
    expect(await found({ server: 'ns1012' })).toEqual(['e12']);
    expect(await found({ server: '.ip-51-91.eu' })).toHaveLength(12);
    expect(await found({ event: 'install,cancel', outcome: 'refused' })).toEqual([
      'e23',
      'e14',
      'e11',
      'e2',
    ]);
    expect(await found({ event: 'preflight', user: 'user1' })).toEqual(['e13', 'e1']);
    expect(await found({ from: entry(3).time, to: entry(6).time })).toEqual(['e5', 'e4', 'e3']);
    expect(await found({ from: entry(22).time, server: 'ns' })).toEqual(['e22']);
  });

  it('refuses a cursor beyond the log with the 400 of a stale cursor', async () => {
    const log = new AuditLog(store, capture());
    // On an empty log, the start is still a place.
    expect(await log.page(parseAuditQuery({ cursor: 'b0' }))).toEqual({
      entries: [],
      nextCursor: null,
      prevCursor: null,
    });
    await log.recordDurably(entry(1));
    await log.recordDurably(entry(2));
    const stale = await log.page(parseAuditQuery({ cursor: 'b99999' })).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(AuditQueryError);
    expect((stale as AuditQueryError).parameter).toBe('cursor');
    expect((stale as Error).message).toContain('does not point into this audit log');
    await expect(log.page(parseAuditQuery({ cursor: 'a4' }))).rejects.toThrow(AuditQueryError);
    // One past the newest is where an empty newer page leaves its older cursor.
    const atEnd = await log.page(parseAuditQuery({ cursor: 'b3' }));
    expect(ids(atEnd)).toEqual(['e2', 'e1']);
    const past = await log.page(parseAuditQuery({ cursor: 'a2' }));
    expect(past).toEqual({ entries: [], nextCursor: 'b3', prevCursor: null });
  });

  it('is one log for two replicas on one store: a page shows both, in the order written', async () => {
    const a = new AuditLog(store, capture());
    const b = new AuditLog(store, capture());
    await a.recordDurably(entry(1, { user: 'on-a' }));
    await b.recordDurably(entry(2, { user: 'on-b' }));
    await a.recordDurably(entry(3, { user: 'on-a' }));
    expect(ids(await a.page({ filter: {}, limit: 10 }))).toEqual(['e3', 'e2', 'e1']);
    expect(ids(await b.page({ filter: { user: 'on-b' }, limit: 10 }))).toEqual(['e2']);
  });

  it('keeps the rows append-only: UPDATE and TRUNCATE refused, DELETE outside retention too', async () => {
    const log = new AuditLog(store, capture());
    await log.recordDurably(entry(1));
    await expect(
      store.db.updateTable('audit_entries').set({ outcome: 'failure' }).execute(),
    ).rejects.toThrow(/append-only: UPDATE is refused/);
    await expect(
      store.db.deleteFrom('audit_entries').where('id', '=', 'e1').execute(),
    ).rejects.toThrow(/append-only: DELETE is refused/);
    await expect(sql`truncate audit_entries`.execute(store.db)).rejects.toThrow(
      /append-only: TRUNCATE is refused/,
    );
    // Only 'on', said in the deleting transaction itself, lets a delete through.
    await expect(
      store.db.transaction().execute(async (tx) => {
        await sql`set local byoi.audit_retention = 'off'`.execute(tx);
        await tx.deleteFrom('audit_entries').execute();
      }),
    ).rejects.toThrow(/append-only/);
    expect(await storedIds(store)).toEqual(['e1']);
  });

  it('deletes the entries past retention and nothing else, also when two replicas run it at once', async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const day = 86_400_000;
    const ages = [900, 400, 366, 365.5, 364, 10, 0];
    await insertRows(
      store.db,
      ages.map((age, i) => toRow(entry(i, { time: new Date(now - age * day).toISOString() }))),
    );
    const cutoff = new Date(now - 365 * day);
    // Two replicas at once, deleting one row per transaction: one does it, the other skips.
    const [one, other] = await Promise.all([
      deleteAuditEntriesBefore(store.db, cutoff, 1),
      deleteAuditEntriesBefore(store.db, cutoff, 1),
    ]);
    expect((one ?? 0) + (other ?? 0)).toBe(4);
    expect(await storedIds(store)).toEqual(['e4', 'e5', 'e6']);
    expect(await deleteAuditEntriesBefore(store.db, cutoff)).toBe(0);
  });

  it('runs the retention at start, and not at all with 0 days', async () => {
    const now = Date.UTC(2026, 11, 1, 12);
    await insertRows(store.db, [
      toRow(entry(1, { time: new Date(now - 40 * 86_400_000).toISOString() })),
      toRow(entry(2, { time: new Date(now - 20 * 86_400_000).toISOString() })),
    ]);
    const logger = capture();
    const stop = new AbortController();
    startAuditRetention({ store, days: 0, logger, signal: stop.signal, now: () => now });
    await new Promise((r) => setTimeout(r, 100));
    expect(await storedIds(store)).toEqual(['e1', 'e2']);
    startAuditRetention({ store, days: 30, logger, signal: stop.signal, now: () => now });
    await expect.poll(() => storedIds(store)).toEqual(['e2']);
    stop.abort();
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        obj: expect.objectContaining({ deleted: 1, retentionDays: 30 }),
      }),
    );
  });

  it('stores an entry with a NUL or a lone surrogate, which PostgreSQL refuses as is', async () => {
    const log = new AuditLog(store, capture());
    await log.recordDurably(entry(1, { user: 'ad\u0000min\uD800' }));
    expect(await storedIds(store)).toEqual(['e1']);
    expect((await log.recent(1))[0]?.user).toBe('ad\uFFFDmin\uFFFD');
  });

  it('stores the rest of a batch when one row is refused, and names that one in the log', async () => {
    const logger = capture();
    const log = new AuditLog(store, logger);
    await log.recordDurably(entry(1));
    // One batch, with an id that is taken.
    const batch = [entry(2), entry(1, { user: 'again' }), entry(3)].map((e) =>
      log.recordDurably(e),
    );
    await Promise.all(batch);
    expect(await storedIds(store)).toEqual(['e1', 'e2', 'e3']);
    expect(log.stats.lost).toBe(1);
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      {
        level: 'error',
        msg: 'audit entries could not be stored (they are on the log stream only)',
        obj: {
          err: { code: '23505', message: expect.stringContaining('duplicate key') },
          count: 1,
          ids: ['e1'],
          store: kind,
        },
      },
    ]);
  });

  it('answers without waiting for a store that refuses inserts, and stores again once it is back', async () => {
    const logger = capture();
    const log = new AuditLog(store, logger);
    await sql`alter table audit_entries rename to audit_entries_away`.execute(store.db);
    expect(await log.recordDurably(entry(1))).toBe('e1');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ obj: expect.objectContaining({ ids: ['e1'], count: 1 }) }),
    ]);
    await sql`alter table audit_entries_away rename to audit_entries`.execute(store.db);
    await log.recordDurably(entry(2));
    expect(await storedIds(store)).toEqual(['e2']);
    // The lost one is still on the log stream.
    expect(logger.lines.filter((l) => 'audit' in l.obj)).toHaveLength(2);
  });

  it('imports a legacy audit file once: ids kept or from the offset, torn lines skipped, file renamed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'byoi-legacy-'));
    const file = path.join(dir, 'audit.log');
    const lines = [
      JSON.stringify(entry(1)),
      JSON.stringify({ ...entry(2), id: undefined }),
      'not json',
      '',
      JSON.stringify({ ...entry(3), user: 'é'.repeat(10) }),
    ];
    const text = `${lines.join('\n')}\n{"id":"torn","time":"2026`;
    await writeFile(file, text, { mode: 0o600 });
    const legacyOffset = Buffer.byteLength(`${lines[0]}\n`);
    const logger = capture();
    const log = new AuditLog(store, logger);
    // What this replica already wrote keeps its place before the imported entries.
    await log.recordDurably(entry(9));

    const first = await importLegacyAuditFile(store, file, logger);
    expect(first).toEqual({
      file,
      renamedTo: `${file}.imported`,
      imported: 3,
      alreadyStored: 0,
      skipped: 2,
    });
    expect(existsSync(file)).toBe(false);
    expect(await storedIds(store)).toEqual(['e9', 'e1', `at-${legacyOffset}`, 'e3']);
    const legacy = (await log.page({ filter: { user: 'éé' }, limit: 5 })).entries;
    expect(legacy.map((e) => e.user)).toEqual(['é'.repeat(10)]);

    // A restart finds no file: nothing to do.
    expect(await importLegacyAuditFile(store, file, logger)).toBeNull();
    // A crash after the import but before the rename: the next start adds nothing.
    await copyFile(`${file}.imported`, file);
    expect(await importLegacyAuditFile(store, file, logger)).toMatchObject({
      imported: 0,
      alreadyStored: 3,
      renamedTo: `${file}.imported.2`,
    });
    expect(await storedIds(store)).toEqual(['e9', 'e1', `at-${legacyOffset}`, 'e3']);
  });

  it('measures audit inserts per second, batched and one by one', async () => {
    const batched = await measureAuditInserts(store, { entries: 400, concurrency: 50 });
    const single = await measureAuditInserts(store, { entries: 50, concurrency: 1 });
    expect(batched).toMatchObject({ entries: 400, stored: 400, lost: 0 });
    expect(batched.inserts).toBeLessThan(400 / 5);
    expect(single.inserts).toBe(50);
    expect(batched.perSecond).toBeGreaterThan(0);
    console.info(
      `audit inserts on ${kind}: ${batched.perSecond}/s with 50 writers (${batched.inserts} inserts for 400 entries), ${single.perSecond}/s with 1`,
    );
  });
});

describe.each(['postgres', 'pglite'] as const)('a page among 100,000 entries on %s', (kind) => {
  it('costs a few milliseconds for the newest page and stays bounded under any filter', async () => {
    const store = await testStore({ kind });
    const events: AuditEvent[] = ['sign-in', 'preflight', 'install', 'cancel', 'refusal'];
    const outcomes: AuditOutcome[] = ['success', 'failure', 'submitted', 'refused'];
    const all = Array.from({ length: 100_000 }, (_, i) =>
      entry(i, {
        event: events[i % events.length],
        // One failed install in 5000.
        outcome: i % 5000 === 7 ? 'failed' : outcomes[i % outcomes.length],
        server: `ns${100000 + (i % 500)}.ip-51-91-0.eu`,
        imageURL: `https://images.example.com/debian-${i}.qcow2?X-Amz-Signature=`,
        httpHeaders: [{ name: 'Authorization', valueSha256: 'ab'.repeat(32) }],
      }),
    );
    for (let i = 0; i < all.length; i += 1000) {
      await insertRows(store.db, all.slice(i, i + 1000).map(toRow));
    }
    await sql`analyze audit_entries`.execute(store.db);
    const timed = async (query: Record<string, string>) => {
      const started = performance.now();
      const page = await readPage(store.db, parseAuditQuery(query));
      return { ms: Math.round(performance.now() - started), page };
    };
    const newest = await timed({ limit: '100' });
    const rare = await timed({ event: 'install', outcome: 'failed', limit: '100' });
    const absentUser = await timed({ user: 'nobody', limit: '100' });
    const lastHour = await timed({
      from: new Date(Date.parse(all.at(-1)?.time ?? '') - 3600_000).toISOString(),
      user: 'nobody',
    });
    const deep = await timed({ limit: '100', cursor: 'b501' });

    expect(newest.page.entries).toHaveLength(100);
    expect(rare.page.entries).toHaveLength(20);
    expect(rare.page.entries.every((e) => e.event === 'install' && e.outcome === 'failed')).toBe(
      true,
    );
    expect(absentUser.page.entries).toEqual([]);
    expect(lastHour.page.entries).toEqual([]);
    expect(deep.page.entries[0]?.id).toBe('e499');
    console.info(
      `audit read at 100k rows on ${kind}: newest page ${newest.ms} ms, rare event+outcome ${rare.ms} ms, ` +
        `absent user (full scan) ${absentUser.ms} ms, last hour ${lastHour.ms} ms, page at the start ${deep.ms} ms`,
    );
    // Bounds loose enough for a slow CI machine.
    expect(newest.ms).toBeLessThan(500);
    expect(lastHour.ms).toBeLessThan(500);
    expect(rare.ms).toBeLessThan(3000);
    expect(absentUser.ms).toBeLessThan(5000);
    await store.close();
  }, 120_000);
});

describe('RefusalAggregator', () => {
  it('writes one entry per address and minute, when the minute is over', () => {
    let now = Date.UTC(2026, 10, 26, 9, 0, 10);
    const written: Omit<AuditEntryDto, 'id'>[] = [];
    const aggregator = new RefusalAggregator({ write: (e) => written.push(e), now: () => now });
    const refusal = (ip: string, route: string) => ({
      time: new Date(now).toISOString(),
      event: 'refusal' as const,
      outcome: 'refused' as const,
      user: null,
      role: null,
      ip,
      method: 'GET',
      route,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    for (let i = 0; i < 30; i += 1) aggregator.add(refusal('10.0.0.1', `/api/p${i % 8}`));
    aggregator.add(refusal('10.0.0.2', '/api/servers'));
    now += 20_000;
    aggregator.add(refusal('10.0.0.1', '/api/servers'));
    aggregator.settle();
    expect(written).toEqual([]);
    now = Date.UTC(2026, 10, 26, 9, 1, 5);
    aggregator.add(refusal('10.0.0.1', '/api/servers'));
    aggregator.settle();
    expect(written.map((e) => [e.ip, e.count, e.samples?.length])).toEqual([
      ['10.0.0.1', 31, 5],
      ['10.0.0.2', 1, 1],
    ]);
    expect(written[0]).toMatchObject({
      firstTime: '2026-11-26T09:00:10.000Z',
      time: '2026-11-26T09:00:30.000Z',
      samples: [
        'GET /api/p0 → 401',
        'GET /api/p1 → 401',
        'GET /api/p2 → 401',
        'GET /api/p3 → 401',
        'GET /api/p4 → 401',
      ],
    });
    aggregator.close();
    expect(written.at(-1)).toMatchObject({
      ip: '10.0.0.1',
      count: 1,
      time: '2026-11-26T09:01:05.000Z',
    });
    expect(aggregator.openWindows).toBe(0);
  });
});
