/**
 * The install record on both engines: an end is written once however many callers race for it;
 * the watch's claims are disjoint between replicas, held for their lease and limited; the history
 * pages newest first with the library image's name; facts are found for their task only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByoiForm } from '@byoi/shared';
import { installFacts } from '../install/submittedFacts.ts';
import { logQueries } from '../testing/storeQueries.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { InstallRecords, sameStart, type SubmittedInstall } from './installRecords.ts';

const FORM: ByoiForm = {
  imageURL: 'https://images.example.com/a.raw?sig=s3cret',
  imageType: 'raw',
  httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
  configDriveMetadata: [],
};

const T0 = Date.parse('2026-12-01T10:00:00Z');

function submitted(
  server: string,
  taskId: number,
  minutesAfterT0: number,
  extra: Partial<SubmittedInstall> = {},
): SubmittedInstall {
  const submittedAt = new Date(T0 + minutesAfterT0 * 60_000);
  return {
    id: randomUUID(),
    server,
    taskId,
    user: 'olivia',
    role: 'operator',
    route: 'reinstall',
    submittedAt,
    facts: installFacts('reinstall', FORM, { taskId, startDate: submittedAt.toISOString() }),
    libraryImage: null,
    ...extra,
  };
}

describe('sameStart', () => {
  it('compares times however they are written', () => {
    expect(sameStart('2026-12-01T10:00:00Z', '2026-12-01T11:00:00+01:00')).toBe(true);
    expect(sameStart('2026-12-01T10:00:00Z', '2026-12-01T10:00:01Z')).toBe(false);
    expect(sameStart('soon', 'soon')).toBe(true);
  });
});

describe.each(['postgres', 'pglite'] as const)('install records on %s', (kind) => {
  let opened: Promise<TestStore>;
  // The first store of a run may build the template database: longer than a test's timeout.
  beforeAll(async () => {
    opened = testStore({ kind });
    await opened;
  }, 60_000);
  afterAll(async () => (await opened).close());

  it('writes the records of a wave in one insert; a row that cannot be written fails only its caller', async () => {
    const log = logQueries(await opened);
    const records = new InstallRecords(log.store.db);
    const wave = Array.from({ length: 40 }, (_, i) => submitted(`ns-wave-${i}`, 900 + i, 0));
    await Promise.all(wave.map((install) => records.recordSubmitted(install)));
    const inserts = () => log.take().filter((q) => q.sql.startsWith('insert into "installs"'));
    expect(inserts()).toHaveLength(1);
    expect((await records.runningOn(wave.map((w) => w.server))).size).toBe(40);

    // A second wave with one id already stored: the others' records are written all the same.
    const again = { ...submitted('ns-wave-dup', 950, 0), id: wave[0]!.id };
    const others = Array.from({ length: 5 }, (_, i) => submitted(`ns-wave-b${i}`, 960 + i, 0));
    const results = await Promise.allSettled(
      [again, ...others].map((install) => records.recordSubmitted(install)),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', ...others.map(() => 'fulfilled')]);
    expect((await records.runningOn(others.map((o) => o.server))).size).toBe(5);
    expect(await records.runningOn(['ns-wave-dup'])).toEqual(new Set());
    // Ended, so the watch's tests below find none of them due.
    for (const install of [...wave, ...others]) {
      await records.settle(install.id, 'done', null, new Date(T0));
    }
  });

  it('ends a running install once, for one of the callers racing to end it', async () => {
    const records = new InstallRecords((await opened).db);
    const install = submitted('ns-settle', 1, 0);
    await records.recordSubmitted(install);
    const endedAt = new Date(T0 + 90_000);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        records.settle(install.id, i % 2 ? 'done' : 'failed', i % 2 ? null : 'boom', endedAt),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({
      state: expect.stringMatching(/done|failed/),
      ended_at: endedAt,
    });
    expect(await records.settle(install.id, 'done', null, endedAt)).toBeUndefined();
    expect(
      await records.runningFor('ns-settle', { taskId: 1, startDate: install.facts.submittedAt }),
    ).toEqual([]);
  });

  it('claims due installs for one replica at a time, for its lease, a limited number', async () => {
    const { db } = await opened;
    const records = new InstallRecords(db);
    const installs = Array.from({ length: 6 }, (_, i) => submitted('ns-claim', 100 + i, i));
    for (const install of installs) await records.recordSubmitted(install);
    const old = submitted('ns-claim', 99, -600);
    await records.recordSubmitted(old);
    const ended = submitted('ns-claim', 98, 1);
    await records.recordSubmitted(ended);
    await records.settle(ended.id, 'done', null, new Date(T0));
    const claim = (owner: string, now: number, limit = 10) =>
      records.claimDue({
        owner,
        now,
        leaseMs: 60_000,
        limit,
        submittedAfter: new Date(T0 - 60 * 60_000),
      });

    const now = T0 + 10 * 60_000;
    const [a, b] = await Promise.all([claim('replica-a', now, 4), claim('replica-b', now, 4)]);
    const ids = [...a, ...b].map((r) => r.id);
    expect(a.length).toBeLessThanOrEqual(4);
    expect(b.length).toBeLessThanOrEqual(4);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(installs.map((i) => i.id).sort());
    // Held for the lease; free again after it, or once handed back for a time already past.
    expect(await claim('replica-c', now + 59_000)).toEqual([]);
    const first = a[0] ?? b[0];
    await records.dueAgainAt(first!.id, first!.watch_owner!, new Date(now + 1_000));
    expect((await claim('replica-c', now + 2_000)).map((r) => r.id)).toEqual([first!.id]);
    const again = await claim('replica-c', now + 61_000);
    expect(again).toHaveLength(installs.length - 1);
    expect(again.every((r) => r.watch_owner === 'replica-c')).toBe(true);
    expect(again[0]?.watch_until).toEqual(new Date(now + 61_000 + 60_000));
  });

  it('pages a server’s history newest first, with the library image’s name', async () => {
    const { db } = await opened;
    const records = new InstallRecords(db);
    await db
      .insertInto('images')
      .values({
        id: 'img-history',
        name: 'Debian golden',
        notes: '',
        created_by: 'olivia',
        created_at: new Date(T0),
        updated_at: new Date(T0),
      })
      .execute();
    const installs = [0, 1, 2, 3, 4].map((m) =>
      submitted(
        'ns-history',
        200 + m,
        m,
        m === 4 ? { libraryImage: { id: 'img-history', version: 2 } } : {},
      ),
    );
    // Two at the same instant: the id orders them.
    installs.push(submitted('ns-history', 210, 2));
    for (const install of installs) await records.recordSubmitted(install);
    await records.recordSubmitted(submitted('ns-other', 300, 9));

    const pages: string[][] = [];
    let cursor: { submittedAt: Date; id: string } | undefined;
    for (;;) {
      const page = await records.history('ns-history', { limit: 4, cursor });
      pages.push(page.map((r) => r.id));
      if (page.length < 4) break;
      const last = page.at(-1)!;
      cursor = { submittedAt: last.submitted_at, id: last.id };
    }
    const all = pages.flat();
    expect(all).toHaveLength(installs.length);
    const expected = [...installs]
      .sort((x, y) => y.submittedAt.getTime() - x.submittedAt.getTime() || (x.id < y.id ? 1 : -1))
      .map((i) => i.id);
    expect(all).toEqual(expected);
    const newest = await records.find(installs[4]!.id);
    expect(newest).toMatchObject({
      image_id: 'img-history',
      image_version: 2,
      image_name: 'Debian golden',
    });
    expect(newest?.facts).toMatchObject({
      httpHeaderNames: ['Authorization'],
      imageURL: 'https://images.example.com/a.raw?sig=',
      imageURLRedacted: true,
    });
    expect(JSON.stringify(newest)).not.toMatch(/s3cret|t0ken/);
    expect(await records.find('no-such-install')).toBeUndefined();
  });

  it('finds the facts of a task, not of another start under the same id; tells running servers', async () => {
    const records = new InstallRecords((await opened).db);
    const install = submitted('ns-facts', 400, 0);
    await records.recordSubmitted(install);
    const start = install.facts.submittedAt;
    expect((await records.factsOf('ns-facts', { taskId: 400, startDate: start }))?.taskId).toBe(
      400,
    );
    expect(
      await records.factsOf('ns-facts', { taskId: 400, startDate: '2027-01-01T00:00:00Z' }),
    ).toBeUndefined();
    expect(await records.factsOf('ns-facts', { taskId: 401, startDate: start })).toBeUndefined();
    expect(await records.runningOn(['ns-facts', 'ns-none'])).toEqual(new Set(['ns-facts']));
    expect(await records.runningOn([])).toEqual(new Set());
  });

  it('keeps which servers run an install for its TTL, and forgets a server at once when it submits or ends an install there', async () => {
    const log = logQueries(await opened);
    const runningReads = () =>
      log.take().filter((q) => q.sql.startsWith('select distinct "server" from "installs"')).length;
    const records = new InstallRecords(log.store.db, { runningTtlMs: 60_000 });
    // Another replica, whose submits this one is not told of.
    const elsewhere = new InstallRecords((await opened).db);
    expect(await records.runningOn(['ns-kept-a', 'ns-kept-b'])).toEqual(new Set());
    expect(await records.runningOn(['ns-kept-b', 'ns-kept-a'])).toEqual(new Set());
    expect(runningReads()).toBe(1);

    await elsewhere.recordSubmitted(submitted('ns-kept-a', 500, 0));
    const here = submitted('ns-kept-b', 501, 0);
    await records.recordSubmitted(here);
    // Its own submit at once, with one read of that server only; the other replica's after the TTL.
    expect(await records.runningOn(['ns-kept-a', 'ns-kept-b'])).toEqual(new Set(['ns-kept-b']));
    expect(await records.runningOn(['ns-kept-a', 'ns-kept-b'])).toEqual(new Set(['ns-kept-b']));
    expect(runningReads()).toBe(1);

    expect(await records.settle(here.id, 'done', null, new Date(T0))).toBeDefined();
    expect(await records.runningOn(['ns-kept-b'])).toEqual(new Set());
    expect(runningReads()).toBe(1);
  });

  it("sees another replica's submit once what it kept has expired", async () => {
    const records = new InstallRecords((await opened).db, { runningTtlMs: 50 });
    expect(await records.runningOn(['ns-expiring'])).toEqual(new Set());
    await new InstallRecords((await opened).db).recordSubmitted(submitted('ns-expiring', 600, 0));
    expect(await records.runningOn(['ns-expiring'])).toEqual(new Set());
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await records.runningOn(['ns-expiring'])).toEqual(new Set(['ns-expiring']));
  });
});
