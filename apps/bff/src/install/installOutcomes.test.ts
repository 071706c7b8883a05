/**
 * The install watch against the real simulator and a real store: it records an end once and stops
 * asking, leaves installs past its timeout to progress reads, records a task OVH no longer has as
 * unknown, shares installs between replicas (one look per round) and takes over those of a
 * replica that stopped once its lease has run out.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { buildInstallPayload, byoiFormSchemaFor } from '@byoi/shared';
import { AuditLog } from '../audit/auditLog.ts';
import { InstallRecords } from '../store/installRecords.ts';
import { captureLog, eventually, startHarness, type Harness } from '../testing/harness.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { createWebhooks } from '../webhooks/index.ts';
import { InstallOutcomes, type InstallOutcomesOptions } from './installOutcomes.ts';
import { readInstallProgress } from './progress.ts';
import { installFacts } from './submittedFacts.ts';

let h: Harness;
let store: TestStore;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h.close());
beforeEach(async () => {
  h.sim.admin.reset();
  store = await testStore();
});
afterEach(() => store.close());

const form = byoiFormSchemaFor('reinstall').parse({
  imageURL: 'http://127.0.0.1:9/image.raw',
  imageType: 'raw',
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
});

function setup(options: Partial<InstallOutcomesOptions> = {}) {
  const { logger, lines } = captureLog();
  const audit = new AuditLog(store, logger);
  const records = new InstallRecords(store.db);
  const outcomes = new InstallOutcomes({
    ovh: h.ovh,
    audit,
    records,
    owner: 'replica-a',
    logger,
    intervalMs: 10,
    ...options,
  });
  return { audit, records, outcomes, lines };
}

/** An install OVH accepts and then fails at download (nothing listens on port 9), recorded. */
async function startFailingInstall(records: InstallRecords, submittedAt = new Date()) {
  const task = await h.ovh.startInstall(
    'reinstall',
    DEFAULT_SERVER,
    buildInstallPayload('reinstall', form).body,
  );
  return record(records, task, submittedAt);
}

async function record(
  records: InstallRecords,
  task: { taskId: number; startDate: string },
  submittedAt = new Date(),
) {
  const id = randomUUID();
  await records.recordSubmitted({
    id,
    server: DEFAULT_SERVER,
    taskId: task.taskId,
    user: 'olivia',
    role: 'operator',
    route: 'reinstall',
    submittedAt,
    facts: installFacts('reinstall', form, task),
    libraryImage: null,
  });
  return { id, taskId: task.taskId };
}

const stateOf = async (id: string) =>
  (
    await store.db
      .selectFrom('installs')
      .select(['state', 'message'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).state;

const taskCalls = (taskId: number) =>
  h.sim.admin.calls()[`GET /dedicated/server/${DEFAULT_SERVER}/task/${taskId}`] ?? 0;

describe('InstallOutcomes', () => {
  it('records the end it sees once and stops asking', async () => {
    h.sim.admin.setClockSpeed(1000);
    const { audit, records, outcomes } = setup();
    const { id, taskId } = await startFailingInstall(records);
    await eventually(async () => {
      await outcomes.poll();
      return (await stateOf(id)) === 'running' ? undefined : true;
    });
    expect(await stateOf(id)).toBe('failed');
    const asked = taskCalls(taskId);
    await outcomes.poll();
    expect(taskCalls(taskId)).toBe(asked);
    await outcomes.observe(await readInstallProgress(h.ovh, DEFAULT_SERVER));
    const entries = await audit.recent(10);
    expect(entries.map((e) => [e.outcome, e.relatesTo, e.learnedFrom])).toEqual([
      ['failed', id, 'watch'],
    ]);
    expect(entries[0]?.message).toMatch(/^Could not download image/);
    await outcomes.close();
  });

  it('leaves an install older than its timeout to progress reads, which still record it', async () => {
    h.sim.admin.setClockSpeed(1000);
    const { audit, records, outcomes } = setup({ timeoutMs: 60_000 });
    const { id, taskId } = await startFailingInstall(records, new Date(Date.now() - 120_000));
    await outcomes.poll();
    expect(taskCalls(taskId)).toBe(0);
    expect(await stateOf(id)).toBe('running');
    const progress = await eventually(async () => {
      const read = await readInstallProgress(h.ovh, DEFAULT_SERVER);
      return read.state === 'running' ? undefined : read;
    });
    await outcomes.observe(progress);
    expect(await stateOf(id)).toBe('failed');
    expect((await audit.recent(10)).map((e) => [e.outcome, e.learnedFrom])).toEqual([
      ['failed', 'progress'],
    ]);
    await outcomes.close();
  });

  it('records a task OVH does not have as unknown, with no audit outcome; nothing after close', async () => {
    const { audit, records, outcomes, lines } = setup();
    const gone = await record(records, { taskId: 424242, startDate: new Date().toISOString() });
    await outcomes.poll();
    expect(await stateOf(gone.id)).toBe('unknown');
    expect(lines.some((l) => l.includes('no longer exists at OVH'))).toBe(true);
    await outcomes.close();
    const later = await record(records, { taskId: 424243, startDate: new Date().toISOString() });
    await outcomes.poll();
    expect(await stateOf(later.id)).toBe('running');
    expect(await audit.recent(10)).toEqual([]);
  });

  it('gives an install to one of two replicas per round', async () => {
    h.sim.admin.setClockSpeed(1);
    const a = setup({ owner: 'replica-a', intervalMs: 60_000 });
    const b = setup({ owner: 'replica-b', intervalMs: 60_000 });
    const { id, taskId } = await startFailingInstall(a.records);
    await Promise.all([a.outcomes.poll(), b.outcomes.poll(), a.outcomes.poll()]);
    expect(taskCalls(taskId)).toBe(1);
    const row = await store.db
      .selectFrom('installs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(['replica-a', 'replica-b']).toContain(row.watch_owner);
    // Handed back until the next round, an interval later.
    expect(row.watch_until?.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await a.outcomes.close();
    await b.outcomes.close();
  });

  it('takes over the installs of a replica that stopped, once its lease has run out', async () => {
    h.sim.admin.setClockSpeed(1);
    let now = Date.now();
    const b = setup({ owner: 'replica-b', leaseMs: 60_000, now: () => now });
    const { id, taskId } = await startFailingInstall(b.records);
    // A replica took it for a look and was killed before it handed it back.
    const taken = await b.records.claimDue({
      owner: 'replica-dead',
      now,
      leaseMs: 60_000,
      limit: 10,
      submittedAfter: new Date(0),
    });
    expect(taken.map((r) => r.id)).toEqual([id]);
    now += 30_000;
    await b.outcomes.poll();
    expect(taskCalls(taskId)).toBe(0);
    now += 31_000;
    await b.outcomes.poll();
    expect(taskCalls(taskId)).toBe(1);
    await b.outcomes.close();
  });
});

describe('install.finished for the webhooks', () => {
  /** A webhook subscribed to install.finished, and the rows its events are queued as. */
  async function subscribed() {
    const { logger } = captureLog();
    const hooks = createWebhooks({
      store,
      config: {
        mode: 'simulator',
        preflightAllowHosts: [],
        secretsKey: randomBytes(32),
        dataDir: mkdtempSync(path.join(os.tmpdir(), 'byoi-outcomes-')),
        webhookPollMs: 60_000,
      },
      logger,
      audit: new AuditLog(store, logger),
      start: false,
    });
    await hooks.registry.create(
      { url: 'http://127.0.0.1:9/hook', events: ['install.finished'], description: '' },
      null,
    );
    const queued = async () =>
      (
        await store.db.selectFrom('webhook_deliveries').select(['event_type', 'body']).execute()
      ).map((row) => ({
        type: row.event_type,
        data: (JSON.parse(row.body) as { data: unknown }).data,
      }));
    return { notifier: hooks.notifier, queued };
  }

  it('is queued once when an install settles, however many replicas and reads see the end', async () => {
    h.sim.admin.setClockSpeed(1000);
    const { notifier, queued } = await subscribed();
    const a = setup({ owner: 'replica-a', notifier });
    const b = setup({ owner: 'replica-b', notifier });
    const { id, taskId } = await startFailingInstall(a.records);
    await eventually(async () => {
      const progress = await readInstallProgress(h.ovh, DEFAULT_SERVER);
      await Promise.all([
        a.outcomes.poll(),
        b.outcomes.poll(),
        a.outcomes.observe(progress),
        b.outcomes.observe(progress),
      ]);
      return (await stateOf(id)) === 'running' ? undefined : true;
    });
    await Promise.all([a.outcomes.poll(), b.outcomes.poll()]);
    expect(await queued()).toEqual([
      {
        type: 'install.finished',
        data: {
          server: DEFAULT_SERVER,
          installId: id,
          taskId,
          outcome: 'failed',
          message: expect.stringMatching(/^Could not download image/),
          user: 'olivia',
        },
      },
    ]);
    await a.outcomes.close();
    await b.outcomes.close();
  });

  it('is queued for an install whose outcome is unknown too, saying why', async () => {
    const { notifier, queued } = await subscribed();
    const { records, outcomes } = setup({ notifier });
    const gone = await record(records, { taskId: 525252, startDate: new Date().toISOString() });
    await outcomes.poll();
    expect(await stateOf(gone.id)).toBe('unknown');
    expect(await queued()).toEqual([
      {
        type: 'install.finished',
        data: expect.objectContaining({
          installId: gone.id,
          outcome: 'unknown',
          message: 'The install task no longer exists at OVH.',
        }),
      },
    ]);
    await outcomes.close();
  });
});
