/**
 * The install watch against the real simulator: it stops at the end, after its timeout (a later
 * progress read still records the outcome), on a task OVH no longer has, and at close.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { buildInstallPayload, byoiFormSchemaFor } from '@byoi/shared';
import { AuditLog } from '../audit/auditLog.ts';
import { captureLog, eventually, startHarness, type Harness } from '../testing/harness.ts';
import { InstallOutcomes } from './installOutcomes.ts';
import { readInstallProgress } from './progress.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.admin.reset();
});

async function setup(options: { intervalMs: number; timeoutMs?: number }) {
  const { logger, lines } = captureLog();
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'byoi-watch-')), 'audit.log');
  const audit = new AuditLog(file, logger);
  const outcomes = new InstallOutcomes({ ovh: h.ovh, audit, logger, ...options });
  return { audit, outcomes, lines };
}

/** An install OVH accepts and then fails at download (nothing listens on port 9). */
async function startFailingInstall(): Promise<number> {
  const form = byoiFormSchemaFor('reinstall').parse({
    imageURL: 'http://127.0.0.1:9/image.raw',
    imageType: 'raw',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
  });
  const task = await h.ovh.startInstall(
    'reinstall',
    DEFAULT_SERVER,
    buildInstallPayload('reinstall', form).body,
  );
  return task.taskId;
}

const follow = (outcomes: InstallOutcomes, taskId: number) =>
  outcomes.follow({
    server: DEFAULT_SERVER,
    taskId,
    submitId: 's1',
    user: 'olivia',
    role: 'operator',
  });

describe('InstallOutcomes', () => {
  it('records the end it sees once and stops asking', async () => {
    h.sim.admin.setClockSpeed(1000);
    const { audit, outcomes } = await setup({ intervalMs: 10 });
    const taskId = await startFailingInstall();
    follow(outcomes, taskId);
    await eventually(() => Promise.resolve(outcomes.following === 0 ? true : undefined));
    const calls = () =>
      h.sim.admin.calls()[`GET /dedicated/server/${DEFAULT_SERVER}/task/${taskId}`];
    const asked = calls();
    await new Promise((r) => setTimeout(r, 100));
    expect(calls()).toBe(asked);
    outcomes.observe(await readInstallProgress(h.ovh, DEFAULT_SERVER));
    const entries = await audit.recent(10);
    expect(entries.map((e) => [e.outcome, e.relatesTo, e.learnedFrom])).toEqual([
      ['failed', 's1', 'watch'],
    ]);
    expect(entries[0]?.message).toMatch(/^Could not download image/);
    outcomes.close();
  });

  it('stops watching after its timeout; a progress read still records the outcome', async () => {
    h.sim.admin.setClockSpeed(1000);
    const { audit, outcomes, lines } = await setup({ intervalMs: 10, timeoutMs: 0 });
    const taskId = await startFailingInstall();
    follow(outcomes, taskId);
    await eventually(() =>
      Promise.resolve(lines.some((l) => l.includes('after the watch timeout')) ? true : undefined),
    );
    expect(outcomes.following).toBe(1);
    const progress = await eventually(async () => {
      const read = await readInstallProgress(h.ovh, DEFAULT_SERVER);
      return read.state === 'running' ? undefined : read;
    });
    outcomes.observe(progress);
    expect((await audit.recent(10)).map((e) => [e.outcome, e.learnedFrom])).toEqual([
      ['failed', 'progress'],
    ]);
    outcomes.close();
  });

  it('stops following a task OVH does not have, and nothing after close', async () => {
    const { audit, outcomes, lines } = await setup({ intervalMs: 10 });
    follow(outcomes, 424242);
    await eventually(() => Promise.resolve(outcomes.following === 0 ? true : undefined));
    expect(lines.some((l) => l.includes('no longer exists at OVH'))).toBe(true);
    outcomes.close();
    follow(outcomes, 424243);
    expect(outcomes.following).toBe(0);
    expect(await audit.recent(10)).toEqual([]);
  });
});
