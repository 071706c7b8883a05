/**
 * Installs on several replicas of one deployment (apps on one store, one OVH account): one install
 * per server whichever replica is asked; a lock a dead replica left expires; an outcome is written
 * once when replicas watch the same install and progress reads race them; a replica that starts
 * after the one that submitted keeps watching and records the outcome; any replica answers the
 * facts of an install another submitted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, SMALL_DISK_SERVER, SMALL_RAM_SERVER } from '@byoi/ovh-simulator';
import type {
  AuditEntryDto,
  InstallHistoryEntryDto,
  InstallHistoryResponse,
  InstallProgressDto,
  InstallResponse,
} from '@byoi/shared';
import {
  eventually,
  startHarness,
  type AppOptions,
  type AppUnderTest,
  type Harness,
} from '../testing/harness.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { OPERATOR, type TestAgent } from '../testing/users.ts';

let h: Harness;
const extraStores: TestStore[] = [];

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h.close();
  await Promise.all(extraStores.map((store) => store.close()));
});
beforeEach(() => {
  h.sim.admin.reset();
});

const EFI = '\\efi\\debian\\grubx64.efi';
/** Nothing listens on port 9: OVH accepts the install, which then fails at download. */
const FAILING = {
  imageURL: 'http://127.0.0.1:9/image.raw',
  imageType: 'raw',
  efiBootloaderPath: EFI,
};

/** Another replica of the harness's deployment: its store and users, or those given. */
async function replica(options: AppOptions = {}): Promise<{ app: AppUnderTest; agent: TestAgent }> {
  const app = await h.buildApp({ store: h.store, usersFile: h.usersFile, ...options });
  return { app, agent: await app.signIn(OPERATOR) };
}

async function untilEnd(agent: TestAgent, sn: string): Promise<InstallProgressDto> {
  return eventually(async () => {
    const body = (await agent.get(`/api/servers/${sn}/install`)).body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
}

async function installOf(agent: TestAgent, sn: string, taskId: number) {
  const body = (await agent.get(`/api/servers/${sn}/installs?limit=100`))
    .body as InstallHistoryResponse;
  return body.entries.find((e) => e.taskId === taskId);
}

/** The `done`/`failed` audit entries of one install, over every replica's view, each once. */
async function outcomeEntries(apps: AppUnderTest[], submitId: string): Promise<AuditEntryDto[]> {
  const seen = new Map<string, AuditEntryDto>();
  for (const app of apps) {
    await app.audit.flush();
    for (const entry of await app.audit.recent(500)) seen.set(entry.id, entry);
  }
  return [...seen.values()].filter(
    (e) =>
      e.event === 'install' &&
      e.relatesTo === submitId &&
      (e.outcome === 'done' || e.outcome === 'failed'),
  );
}

describe('one install per server across replicas', () => {
  it('answers one 202 and one 409 to the same server installed through two replicas at once', async () => {
    h.sim.admin.setClockSpeed(1);
    const a = await replica();
    const b = await replica();
    // OVH answering slowly keeps the first submit inside its check while the second arrives.
    h.sim.admin.injectFault({
      method: 'GET',
      path: '/dedicated/server/*/install/status',
      latencyMs: 300,
    });
    const answers = await Promise.all(
      [a.agent, b.agent].map((agent) =>
        agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send(FAILING),
      ),
    );
    h.sim.admin.clearFaults();
    expect(answers.map((r) => r.status).sort()).toEqual([202, 409]);
    const refused = answers.find((r) => r.status === 409);
    expect(refused?.body.error.code).toBe('INSTALL_IN_PROGRESS');
    expect(h.sim.admin.requests()).toHaveLength(1);
    // The lock is free again: the next refusal is OVH's running install, still a 409.
    const again = await b.agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send(FAILING);
    expect(again.status).toBe(409);
    expect(h.sim.admin.requests()).toHaveLength(1);
    expect(await h.store.db.selectFrom('install_locks').selectAll().execute()).toEqual([]);
  });

  it('refuses while a lock is held, and takes a lock a dead replica left once it expired', async () => {
    h.sim.admin.setClockSpeed(1);
    const { agent } = await replica();
    await h.store.db
      .insertInto('install_locks')
      .values({
        server: SMALL_RAM_SERVER,
        holder: 'a-replica-killed-mid-submit:1',
        expires_at: new Date(Date.now() + 60_000),
      })
      .execute();
    const held = await agent.post(`/api/servers/${SMALL_RAM_SERVER}/install`).send(FAILING);
    expect(held.status).toBe(409);
    expect(held.body.error.code).toBe('INSTALL_IN_PROGRESS');
    expect(h.sim.admin.requests()).toEqual([]);
    await h.store.db
      .updateTable('install_locks')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('server', '=', SMALL_RAM_SERVER)
      .execute();
    const taken = await agent.post(`/api/servers/${SMALL_RAM_SERVER}/install`).send(FAILING);
    expect(taken.status).toBe(202);
    expect(h.sim.admin.requests()).toHaveLength(1);
  });
});

describe('the outcome across replicas', () => {
  it('is written once when two replicas watch the same install and progress reads race them', async () => {
    h.sim.admin.setClockSpeed(1000);
    const env = { INSTALL_WATCH_INTERVAL_MS: '10' };
    const a = await replica({ env });
    const b = await replica({ env });
    const res = await a.agent.post(`/api/servers/${SMALL_DISK_SERVER}/install`).send(FAILING);
    expect(res.status).toBe(202);
    const taskId = (res.body as InstallResponse).task.taskId;
    const ends = await Promise.all([
      untilEnd(a.agent, SMALL_DISK_SERVER),
      untilEnd(b.agent, SMALL_DISK_SERVER),
      untilEnd(b.agent, SMALL_DISK_SERVER),
    ]);
    expect(ends.map((p) => p.state)).toEqual(['failed', 'failed', 'failed']);
    // B answers the facts A submitted.
    expect(ends[1]?.submitted).toMatchObject({ taskId, imageURL: FAILING.imageURL });
    await new Promise((r) => setTimeout(r, 300));
    const install = await installOf(b.agent, SMALL_DISK_SERVER, taskId);
    expect(install?.outcome).toBe('failed');
    const outcomes = await outcomeEntries([a.app, b.app, h], install?.id ?? '');
    expect(outcomes.map((e) => e.outcome)).toEqual(['failed']);
  });

  it('is recorded by a replica started after the one that submitted stopped watching', async () => {
    h.sim.admin.setClockSpeed(1000);
    // A store of their own: no other replica watches.
    const shared = await testStore();
    extraStores.push(shared);
    // The first replica's watch would not look for an hour: as good as dead for this test.
    const before = await replica({ store: shared, env: { INSTALL_WATCH_INTERVAL_MS: '3600000' } });
    const res = await before.agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send(FAILING);
    expect(res.status).toBe(202);
    const taskId = (res.body as InstallResponse).task.taskId;
    const after = await replica({ store: shared, env: { INSTALL_WATCH_INTERVAL_MS: '50' } });
    const install = await eventually(async () => {
      const entry = await installOf(after.agent, DEFAULT_SERVER, taskId);
      return entry?.outcome === 'running' ? undefined : entry;
    }, 15_000);
    expect(install).toMatchObject({ outcome: 'failed', user: OPERATOR.username });
    expect(install?.message).toMatch(/^Could not download image/);
    const outcomes = await outcomeEntries([before.app, after.app], install?.id ?? '');
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'failed', taskId, learnedFrom: 'watch' }),
    ]);
    // Read by id on either replica, for "Reinstall with the same image".
    const byId = await before.agent.get(`/api/installs/${install?.id ?? ''}`);
    expect((byId.body as { entry: InstallHistoryEntryDto }).entry).toEqual(install);
  });
});
