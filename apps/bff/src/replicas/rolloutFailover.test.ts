/**
 * A rollout whose driving replica is killed (`kill -9`): two `main.ts` processes on one PostgreSQL
 * database and one simulator CLI with a generated fleet. Whichever replica claims the rollout is
 * A, its driver; B, running beside it, takes the lease over once it has run out and brings the
 * rollout to `done`, and the test reads the rollout through B only. Installs are counted where OVH would count them, at the simulator (`/_sim/requests`):
 * each server once, never more than maxInFlight at a time. Killed mid-batch, and killed between
 * the claim of a batch and OVH's answers (one request lost on the way, two that OVH carries out
 * after A died).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateServers, type InstallRequestRecord } from '@byoi/ovh-simulator';
import type { CreateRolloutInput, RolloutDetailDto, RolloutPlan } from '@byoi/shared';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { INSTALL_LOCK_LEASE_MS } from '../store/installLocks.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { OPERATOR, writeUsersFile } from '../testing/users.ts';
import { signedIn, type ConsoleClient } from './consoleClient.ts';
import {
  allTails,
  startReplica,
  startSimulatorProcess,
  stopAll,
  until,
  type Child,
  type Replica,
  type SimulatorProcess,
} from './processes.ts';

/** Generated servers in the simulator's fleet: enough UEFI ones for two rollouts of eight. */
const FLEET = 24;
const ROLLOUT_SIZE = 8;
/** ~2.5 s per install (73 s of steps at 30×): a rollout of four waves takes ~10 s. */
const CLOCK_SPEED = 30;
const TICK_MS = 200;
/** Short, so B takes over within seconds of the kill rather than the default 30. */
const LEASE_MS = 4_000;
const PLAN = {
  canary: 1,
  batchSize: 3,
  maxInFlight: 3,
  maxFailures: 0,
  pauseAfterCanary: false,
  onBlocked: 'refuse',
} as const satisfies RolloutPlan;
/** 48 MiB raw GPT, UEFI only (\EFI\BOOT\BOOTX64.EFI): fits every generated server. */
const IMAGE = 'raw-gpt-efi-fallback';
const EFI = '\\efi\\boot\\bootx64.efi';
const UEFI_SERVERS = generateServers(FLEET)
  .filter((server) => server.hardware.bootMode === 'uefi')
  .map((server) => server.name);

let dir: string;
let store: TestStore;
let sim: SimulatorProcess;
let kit: ImageKit;
let images: ImageServer;
let usersFile: string;
/** Every child this file started, for the failure report. */
const children: Child[] = [];
const SECRETS = {
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  SECRETS_KEY: randomBytes(32).toString('hex'),
};

async function replica(name: string): Promise<Replica> {
  const started = await startReplica(name, {
    ...sim.env,
    ...SECRETS,
    DATABASE_URL: store.url ?? '',
    DATABASE_POOL_SIZE: '4',
    CONSOLE_USERS_FILE: usersFile,
    DATA_DIR: mkdtempSync(path.join(dir, `data-${name}-`)),
    WEB_DIST_DIR: path.join(dir, 'no-web-build'),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    INSTALL_WATCH_INTERVAL_MS: '200',
    ROLLOUT_TICK_MS: String(TICK_MS),
    ROLLOUT_LEASE_MS: String(LEASE_MS),
  });
  children.push(started);
  return started;
}

/** `Store.replicaId` is `host:pid:random`, and the replica's pid is the child's. */
const isOwner = (owner: string | null, replica: Replica) =>
  owner?.startsWith(`${os.hostname()}:${replica.pid}:`) === true;

/** The driver's lease and the server rows, as the store holds them. */
async function stored(id: string) {
  const [rollout, servers] = await Promise.all([
    store.db
      .selectFrom('rollouts')
      .select(['state', 'driver_owner', 'driver_until'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
    store.db
      .selectFrom('rollout_servers')
      .select(['server', 'state', 'wave', 'claimed_at', 'started_at'])
      .where('rollout_id', '=', id)
      .orderBy('position')
      .execute(),
  ]);
  return { ...rollout, servers };
}

/**
 * Whether `replica`'s install watch holds a record for a look now: the record is then out of
 * every other replica's reach for the watch's lease (a minute), so a kill at that moment would
 * hold the rollout's end up by that long (the watch's own limit, not the rollout's).
 */
async function midLook(replica: Replica): Promise<boolean> {
  const held = await store.db
    .selectFrom('installs')
    .select('id')
    .where('state', '=', 'running')
    .where('watch_owner', 'like', `${os.hostname()}:${replica.pid}:%`)
    .where('watch_until', '>', new Date(Date.now() + 10_000))
    .execute();
  return held.length > 0;
}

async function simRequests() {
  return sim.admin<{
    installs: InstallRequestRecord[];
    calls: Record<string, number>;
    peakRunningInstalls: number;
  }>('GET', '/_sim/requests');
}

async function detail(client: ConsoleClient, id: string): Promise<RolloutDetailDto> {
  const res = await client.get<RolloutDetailDto>(`/api/rollouts/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const untilState = (client: ConsoleClient, id: string, state: string, timeoutMs?: number) =>
  until(
    `rollout ${id} ${state} on ${client.url}`,
    async () => {
      const r = await detail(client, id);
      const servers = r.servers.map(
        (s) => `${s.name} ${s.state}${s.message ? `: ${s.message}` : ''}`,
      );
      return { value: r.state === state ? r : undefined, seen: { state: r.state, servers } };
    },
    timeoutMs,
  );

/** Plans `servers` through `client` and waits for the check to find them all ready. */
async function planned(
  client: ConsoleClient,
  servers: string[],
  plan: Partial<RolloutPlan> = {},
): Promise<string> {
  const body: CreateRolloutInput = {
    name: 'Debian on the fleet, across a failover',
    servers,
    image: {
      imageURL: `${images.url}/images/${kit.images[IMAGE].file}`,
      imageType: 'raw',
      efiBootloaderPath: EFI,
    },
    plan: { ...PLAN, ...plan },
  };
  const res = await client.post<{ id: string }>('/api/rollouts', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const ready = await untilState(client, res.body.id, 'ready');
  expect(ready.counts.pending, JSON.stringify(ready.servers)).toBe(servers.length);
  return res.body.id;
}

/** What the rollout's end must show, counted at the simulator and read through `onB`. */
async function expectInstalledOnce(
  onB: ConsoleClient,
  id: string,
  servers: string[],
  timeoutMs = 30_000,
) {
  const done = await untilState(onB, id, 'done', timeoutMs);
  expect(done.counts).toMatchObject({ total: servers.length, done: servers.length, failed: 0 });
  for (const server of done.servers) {
    expect(server.state, `${server.name}: ${server.message ?? ''}`).toBe('done');
    expect(server.taskId).not.toBeNull();
  }
  const { installs, peakRunningInstalls } = await simRequests();
  const requested = installs.map((r) => r.serviceName).filter((sn) => servers.includes(sn));
  expect([...requested].sort()).toEqual([...servers].sort());
  expect(peakRunningInstalls).toBeLessThanOrEqual(PLAN.maxInFlight);
  // The timeline B serves: one request, one start and one end per server, then the end.
  const kinds = (kind: string) =>
    done.events
      .filter((e) => e.kind === kind)
      .map((e) => e.server ?? '')
      .sort();
  for (const kind of ['install-requested', 'install-started', 'install-done']) {
    expect(kinds(kind), kind).toEqual([...servers].sort());
  }
  expect(done.events.map((e) => e.kind)).toEqual(
    expect.arrayContaining(['started', 'rollout.canary_passed', 'rollout.done']),
  );
  return done;
}

/** Two replicas, started together: either may be the one that claims a rollout. */
async function pair(suffix: string): Promise<[Replica, Replica]> {
  const [one, two] = await Promise.all([replica(`R1${suffix}`), replica(`R2${suffix}`)]);
  return [one, two];
}

/**
 * Waits until one of `replicas` holds the rollout's lease with it `state`: that one is A, the
 * driver; the other is B. Whichever claimed it first (the one the API nudged, most often) drives.
 */
async function driving(id: string, replicas: [Replica, Replica], state: string) {
  const [one, two] = replicas;
  return until(`a replica to drive the rollout ${state}`, async () => {
    const row = await stored(id);
    const a = isOwner(row.driver_owner, one) ? one : isOwner(row.driver_owner, two) ? two : null;
    if (row.state !== state || a === null) return { seen: row };
    return { value: { a, b: a === one ? two : one } };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-rollout-failover-'));
  const [opened, builtKit, started, written] = await Promise.all([
    testStore({ kind: 'postgres' }),
    ensureImages(),
    startSimulatorProcess({ dir, clockSpeed: CLOCK_SPEED, serverCount: FLEET }),
    writeUsersFile(dir, [OPERATOR]),
  ]);
  [store, kit, sim, usersFile] = [opened, builtKit, started, written];
  children.push(sim);
  images = await startImageServer({ dir: kit.dir });
  expect(UEFI_SERVERS.length).toBeGreaterThanOrEqual(2 * ROLLOUT_SIZE);
}, 180_000);

afterAll(async () => {
  await stopAll();
  await images?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

beforeEach((context) => {
  context.onTestFailed(() => {
    console.error(`Output of the processes of this suite:\n${allTails(children)}`);
  });
});

afterEach(async () => {
  // Each test starts its own pair: no replica of an earlier test may claim the next rollout.
  await Promise.all(
    children.filter((c) => c !== sim && c.running()).map((replica) => replica.stop()),
  );
  await sim.admin('DELETE', '/_sim/faults');
});

describe('a rollout whose driving replica is killed', { timeout: 60_000 }, () => {
  it('mid-batch: B takes the lease over and finishes it, each server installed once, within maxInFlight', async () => {
    const servers = UEFI_SERVERS.slice(0, ROLLOUT_SIZE);
    const t0 = Date.now();
    const replicas = await pair('');
    const tUp = Date.now();
    const client = await signedIn(replicas[0].url, OPERATOR);
    const id = await planned(client, servers);
    expect((await client.post(`/api/rollouts/${id}/start`, {})).status).toBe(200);
    const { a, b } = await driving(id, replicas, 'running');
    const onB = client.on(b.url);

    // The canary done and a batch running at OVH: A is killed between two of its rounds.
    const killedAt = await until(
      'a batch to run at OVH',
      async () => {
        const row = await stored(id);
        const running = row.servers.filter((s) => s.state === 'installing' && s.started_at);
        const ready =
          isOwner(row.driver_owner, a) &&
          row.servers.some((s) => s.state === 'done') &&
          running.length >= 2 &&
          !(await midLook(a));
        if (!ready) return { seen: row.servers.map((s) => s.state) };
        a.kill('SIGKILL');
        return { value: { at: Date.now(), servers: row.servers } };
      },
      30_000,
      20,
    );
    await a.exited;
    expect(killedAt.servers.filter((s) => s.state === 'pending').length).toBeGreaterThan(0);

    const takenOver = await until(
      'B to take the lease over',
      async () => {
        const row = await stored(id);
        return { value: isOwner(row.driver_owner, b) ? Date.now() : undefined, seen: row };
      },
      LEASE_MS + 5_000,
    );
    const done = await expectInstalledOnce(onB, id, servers);
    const { peakRunningInstalls } = await simRequests();
    console.info(
      `mid-batch: replicas up in ${tUp - t0} ms, A killed ${killedAt.at - tUp} ms later; ` +
        `B drove ${takenOver - killedAt.at} ms after the kill, done ${
          Date.parse(done.endedAt ?? '') - killedAt.at
        } ms after it; peak ${peakRunningInstalls} installs at once`,
    );
  });

  it(
    'between the claim of a batch and OVH’s answers: B adopts what OVH began and submits what it never got, once',
    async () => {
      // The canary and the one batch under test.
      const servers = UEFI_SERVERS.slice(ROLLOUT_SIZE, ROLLOUT_SIZE + 1 + PLAN.batchSize);
      const replicas = await pair('-claim');
      const client = await signedIn(replicas[0].url, OPERATOR);
      // Paused after the canary, so the batch is claimed when the test resumes it.
      const id = await planned(client, servers, { pauseAfterCanary: true });
      expect((await client.post(`/api/rollouts/${id}/start`, {})).status).toBe(200);
      const { a, b } = await driving(id, replicas, 'paused');
      const onB = client.on(b.url);
      const batch = (await detail(client, id)).servers
        .filter((s) => s.wave === 1)
        .map((s) => s.name);
      expect(batch).toHaveLength(PLAN.batchSize);
      const [lost, ...late] = batch as [string, ...string[]];
      // OVH holds each of the batch's requests 2 s (less than the lease) before acting on it;
      // the first it then drops unanswered and undone, the others it carries out, A dead by then.
      const reinstall = (sn: string) => `/dedicated/server/${sn}/reinstall`;
      for (const sn of batch) {
        await sim.admin('POST', '/_sim/faults', {
          method: 'POST',
          path: reinstall(sn),
          latencyMs: 2_000,
          ...(sn === lost ? { drop: true } : {}),
          times: 1,
        });
      }
      expect((await client.post(`/api/rollouts/${id}/resume`, {})).status).toBe(200);

      // Every request of the batch at OVH, none answered: A is killed.
      const killedAt = await until(
        'the batch claimed and its requests at OVH',
        async () => {
          const [row, { calls }] = await Promise.all([stored(id), simRequests()]);
          const claimed = row.servers.filter(
            (s) => batch.includes(s.server) && s.state === 'installing' && s.claimed_at,
          );
          const atOvh = batch.filter((sn) => (calls[`POST ${reinstall(sn)}`] ?? 0) > 0);
          if (claimed.length < batch.length || atOvh.length < batch.length) {
            return { seen: { claimed: claimed.length, atOvh } };
          }
          a.kill('SIGKILL');
          return { value: { at: Date.now(), servers: claimed } };
        },
        10_000,
        20,
      );
      await a.exited;
      // Killed before any answer: no start is known for the batch.
      expect(killedAt.servers.map((s) => s.started_at)).toEqual(batch.map(() => null));

      // The lost request's server waits for the install lock A's submit held to lapse.
      const done = await expectInstalledOnce(onB, id, servers, INSTALL_LOCK_LEASE_MS + 20_000);
      const { calls } = await simRequests();
      expect(calls[`POST ${reinstall(lost)}`]).toBe(2);
      for (const sn of late) expect(calls[`POST ${reinstall(sn)}`]).toBe(1);
      const adopted = b
        .stdout()
        .split('\n')
        .filter((line) => line.includes('adopted an install a stopped driver had submitted'))
        .map((line) => (JSON.parse(line) as { server: string }).server)
        .sort();
      expect(adopted).toEqual([...late].sort());
      console.info(
        `before OVH answered: the adopted installs done and the lost one submitted by B, done ${
          Date.parse(done.endedAt ?? '') - killedAt.at
        } ms after the kill`,
      );
    },
    INSTALL_LOCK_LEASE_MS + 40_000,
  );
});
