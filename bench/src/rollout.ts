/**
 * A fleet rollout at scale: 1,000 generated servers on a simulator whose clock runs fast, so one
 * install takes seconds. The simulator runs in this process (SIMULATOR_URL for the BFF, as replicas
 * share one), so that the BFF's CPU time and memory are the console's alone; the image (the kit's
 * 1.9 MB qcow2, with `\EFI\debian\grubx64.efi`) is served by the test kit's image server, here too.
 *
 * 1. One install's time, on the same setup: a single install submitted through the API
 *    (`POST /api/servers/:sn/install`, on a fixture server outside the rollout) and timed to its
 *    end as the console sees it, its progress (`GET /api/servers/:sn/install`) read every 50 ms.
 * 2. The rollout of every generated server (`servers: { search: 'fleet-' }`, onBlocked skip, so
 *    the ones the image cannot fit are left out), canary 1, batchSize = maxInFlight: its check
 *    (created → checked, from the timeline), then start → done (the rollout's own startedAt and
 *    endedAt). Its bound is 1.2 × waves × one install, the waves counted as the scheduler forms
 *    them: the canary is a wave of its own, then ⌈(servers − 1) / batchSize⌉ batches.
 * 3. What the console spent: the BFF's CPU time over the rollout per server, the wall time beyond
 *    the ideal waves per server, the installs the simulator saw running at once, and the BFF's
 *    memory after a full GC at the start, the middle and the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type {
  CreateRolloutInput,
  InstallProgressDto,
  RolloutDetailDto,
  RolloutListResponse,
} from '@byoi/shared';
import { ensureImages, startImageServer, type ImageServer } from '@byoi/test-kit';
import {
  startSimulatorProcess,
  type SimulatorProcess,
} from '../../apps/bff/src/replicas/processes.ts';
import { testStore, type TestStore } from '../../apps/bff/src/testing/testStore.ts';
import { atMost, BUDGETS, installWaves, rolloutBoundMs, type Measurement } from './budgets.ts';
import { startBff, type RunningBff } from './bff.ts';
import { cpuMs } from './detail.ts';
import { median, round, since } from './stats.ts';

export type RolloutEngine = 'pglite' | 'postgres';

export interface RolloutBenchOptions {
  engine: RolloutEngine;
  /** Generated servers in the simulator, all in the rollout. */
  servers: number;
  /** Divides the simulator's install steps (71 s at speed 1 for a BYOI install). */
  clockSpeed: number;
  /** batchSize and maxInFlight. */
  inFlight: number;
  watchIntervalMs: number;
  tickMs: number;
}

const ENGINE_NAMES: Record<RolloutEngine, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };
const IMAGE = 'qcow2';
const EFI = '\\efi\\debian\\grubx64.efi';
/** Matches the display names of the generated servers only (`fleet-0001` …). */
const GENERATED = 'fleet-';
const CANARY = 1;
const PROGRESS_POLL_MS = 50;
const ROLLOUT_POLL_MS = 1_000;
const MiB = 1024 * 1024;

interface Memory {
  rss: number;
  heapUsed: number;
}

function headers(bff: RunningBff): Record<string, string> {
  return {
    cookie: bff.session.cookie,
    origin: bff.url,
    'x-csrf-token': bff.session.csrf,
    'content-type': 'application/json',
  };
}

async function call<T>(bff: RunningBff, method: string, route: string, body?: unknown) {
  const res = await fetch(`${bff.url}${route}`, {
    method,
    headers: { ...headers(bff), ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** One install through the API, from its submit to the first progress read that shows its end. */
async function oneInstall(bff: RunningBff, server: string, image: CreateRolloutInput['image']) {
  const start = performance.now();
  await call(bff, 'POST', `/api/servers/${server}/install`, image);
  for (;;) {
    const progress = await call<InstallProgressDto>(bff, 'GET', `/api/servers/${server}/install`);
    if (progress.state === 'done') return since(start);
    if (progress.state === 'failed' || progress.state === 'cancelled') {
      throw new Error(
        `The single install on ${server} ended ${progress.state}: ${progress.failure?.message ?? ''}`,
      );
    }
    await sleep(PROGRESS_POLL_MS);
  }
}

/** The rollout's summary, as the list shows it (light: no server rows). */
async function summary(bff: RunningBff, id: string) {
  const list = await call<RolloutListResponse>(bff, 'GET', '/api/rollouts?limit=5');
  const found = list.rollouts.find((r) => r.id === id);
  if (!found) throw new Error(`Rollout ${id} is not in the rollout list.`);
  return found;
}

const heapOf = async (bff: RunningBff): Promise<Memory> => {
  const usage = await bff.memory();
  return { rss: usage.rss, heapUsed: usage.heapUsed };
};

/**
 * Where a wave's time goes, median over the waves, from the servers' startedAt (OVH accepted,
 * written) and endedAt (the end applied by the driver): the spread of its starts, its first start
 * to its last end, and its last end to the next wave's first start.
 */
function wavePhases(rollout: RolloutDetailDto): string {
  const byWave = new Map<number, { starts: number[]; ends: number[] }>();
  for (const s of rollout.servers) {
    if (s.wave === null || s.startedAt === null || s.endedAt === null) continue;
    const w = byWave.get(s.wave) ?? { starts: [], ends: [] };
    w.starts.push(Date.parse(s.startedAt));
    w.ends.push(Date.parse(s.endedAt));
    byWave.set(s.wave, w);
  }
  const waves = [...byWave.entries()].sort(([a], [b]) => a - b).map(([, w]) => w);
  const spread: number[] = [];
  const span: number[] = [];
  const gap: number[] = [];
  for (const [i, w] of waves.entries()) {
    const first = Math.min(...w.starts);
    const lastEnd = Math.max(...w.ends);
    spread.push(Math.max(...w.starts) - first);
    span.push(lastEnd - first);
    const next = waves[i + 1];
    if (next) gap.push(Math.min(...next.starts) - lastEnd);
  }
  return `starts spread over ${round(median(spread), 0)} ms, first start → last end ${round(median(span), 0)} ms, last end → next wave's first start ${round(median(gap), 0)} ms`;
}

const mib = (bytes: number) => round(bytes / MiB, 1);

async function openDatabase(engine: RolloutEngine): Promise<TestStore | null> {
  if (engine === 'pglite') return null;
  try {
    return await testStore({ kind: 'postgres' });
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} By hand: bash scripts/test-postgres.sh corepack pnpm bench`,
    );
  }
}

export async function measureRollout(o: RolloutBenchOptions): Promise<Measurement[]> {
  const kit = await ensureImages();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byoi-bench-rollout-'));
  let images: ImageServer | null = null;
  let sim: SimulatorProcess | null = null;
  let bff: RunningBff | null = null;
  let database: TestStore | null = null;
  try {
    images = await startImageServer({ dir: kit.dir });
    // Its own process, as OVH is: 100 installs downloading and checking images at once must not
    // share an event loop with the bench's polling and image server, or the simulator's slowness
    // would be counted as the console's.
    sim = await startSimulatorProcess({ dir, clockSpeed: o.clockSpeed, serverCount: o.servers });
    database = await openDatabase(o.engine);
    bff = await startBff({
      serverCount: 0,
      latencyMs: 0,
      concurrency: 16,
      cacheTtlMs: 5_000,
      memoryProbe: true,
      env: {
        ...sim.env,
        INSTALL_WATCH_INTERVAL_MS: String(o.watchIntervalMs),
        ROLLOUT_TICK_MS: String(o.tickMs),
        ...(database?.url ? { DATABASE_URL: database.url } : {}),
      },
    });
    const image = {
      imageURL: `${images.url}/images/${kit.images[IMAGE].file}`,
      imageType: 'qcow2' as const,
      efiBootloaderPath: EFI,
    };

    // 1. One install's time, on the same setup.
    const oneMs = await oneInstall(bff, DEFAULT_SERVER, image);

    // 2. The check.
    const plan = {
      canary: CANARY,
      batchSize: o.inFlight,
      maxInFlight: o.inFlight,
      maxFailures: 0,
      onBlocked: 'skip' as const,
    };
    const { id } = await call<{ id: string }>(bff, 'POST', '/api/rollouts', {
      name: 'bench: every generated server',
      servers: { search: GENERATED, datacenter: [] },
      image,
      plan,
    } satisfies CreateRolloutInput);
    let ready: RolloutDetailDto;
    for (;;) {
      ready = await call<RolloutDetailDto>(bff, 'GET', `/api/rollouts/${id}`);
      if (ready.state === 'ready') break;
      if (ready.state !== 'planned' && ready.state !== 'checking') {
        throw new Error(`The rollout's check ended ${ready.state}: ${ready.checkError ?? ''}`);
      }
      await sleep(250);
    }
    if (ready.servers.length !== o.servers) {
      throw new Error(`The rollout holds ${ready.servers.length} servers, expected ${o.servers}.`);
    }
    const at = (kind: string) => Date.parse(ready.events.find((e) => e.kind === kind)?.at ?? '');
    const checkMs = at('checked') - at('created');
    const eligible = ready.servers.filter((s) => s.state !== 'blocked').map((s) => s.name);
    const waves = installWaves(plan, eligible.length);
    const formed = new Set(ready.servers.flatMap((s) => (s.wave === null ? [] : [s.wave]))).size;
    if (formed !== waves) {
      throw new Error(`The scheduler formed ${formed} waves, the bench counts ${waves}.`);
    }

    // 3. The rollout, start to done.
    const simulator = sim;
    const simRequests = async () =>
      await simulator.admin<{ installs: { serviceName: string }[]; peakRunningInstalls: number }>(
        'GET',
        '/_sim/requests',
      );
    const requestsBefore = (await simRequests()).installs.length;
    await sim.admin('POST', '/_sim/reset');
    const atStart = await heapOf(bff);
    const cpuBefore = cpuMs(bff.pid);
    const wallStart = performance.now();
    await call(bff, 'POST', `/api/rollouts/${id}/start`);
    let atMiddle: Memory | null = null;
    let middleDone = 0;
    for (;;) {
      const s = await summary(bff, id);
      if (s.state === 'done') break;
      if (s.state !== 'running') {
        throw new Error(`The rollout ended ${s.state}: ${JSON.stringify(s.counts)}`);
      }
      if (atMiddle === null && s.counts.done >= eligible.length / 2) {
        atMiddle = await heapOf(bff);
        middleDone = s.counts.done;
      }
      await sleep(ROLLOUT_POLL_MS);
    }
    const cpuSpent = cpuMs(bff.pid) - cpuBefore;
    const observedMs = since(wallStart);
    const atEnd = await heapOf(bff);
    const done = await call<RolloutDetailDto>(bff, 'GET', `/api/rollouts/${id}`);
    const totalMs = Date.parse(done.endedAt ?? '') - Date.parse(done.startedAt ?? '');
    const atSimulator = await simRequests();
    const requested = atSimulator.installs.map((r) => r.serviceName);
    const once = new Set(requested);
    const notOnce =
      eligible.filter((name) => !once.has(name)).length +
      (requested.length - once.size) +
      done.counts.failed;
    const peak = atSimulator.peakRunningInstalls;
    const phases = wavePhases(done);

    const bound = rolloutBoundMs(waves, oneMs);
    const idealMs = waves * oneMs;
    const label = `Rollout of ${o.servers}, ${ENGINE_NAMES[o.engine]}`;
    const rid = `rollout.${o.engine}`;
    const setup = `clock ×${o.clockSpeed}, INSTALL_WATCH_INTERVAL_MS ${o.watchIntervalMs}, ROLLOUT_TICK_MS ${o.tickMs}`;
    return [
      {
        id: `${rid}.oneInstall`,
        label: `${label}: one install (baseline)`,
        value: round(oneMs, 0),
        unit: 'ms',
        budget: null,
        detail: `${DEFAULT_SERVER} through POST /api/servers/:sn/install, progress read every ${PROGRESS_POLL_MS} ms; ${setup}; ${requestsBefore} install request before the rollout`,
      },
      {
        id: `${rid}.check`,
        label: `${label}: check`,
        value: round(checkMs, 0),
        unit: 'ms',
        budget: null,
        detail: `created → checked: the image probed once, ${o.servers} servers' hardware read and judged; ${eligible.length} can take it, ${o.servers - eligible.length} blocked (skipped)`,
      },
      {
        id: `${rid}.total`,
        label: `${label}: start → done`,
        value: round(totalMs, 0),
        unit: 'ms',
        budget: atMost(round(bound, 0)),
        detail: `${round(totalMs / idealMs, 2)}× the ideal ${waves} waves × ${round(oneMs, 0)} ms (canary ${CANARY} is a wave of its own, then ⌈${eligible.length - CANARY}/${o.inFlight}⌉ batches); bound ${BUDGETS.rolloutWavesFactor}×; seen done by polling after ${round(observedMs, 0)} ms`,
      },
      {
        id: `${rid}.overheadPerServer`,
        label: `${label}: wall time beyond the ideal waves, per server`,
        value: round((totalMs - idealMs) / eligible.length, 1),
        unit: 'ms',
        budget: null,
        detail: `(${round(totalMs, 0)} − ${round(idealMs, 0)} ms) / ${eligible.length} servers; ${round((totalMs - idealMs) / waves, 0)} ms per wave. Median over the waves: ${phases}`,
      },
      {
        id: `${rid}.cpuPerServer`,
        label: `${label}: BFF CPU per server`,
        value: round(cpuSpent / eligible.length, 1),
        unit: 'ms',
        budget: null,
        detail: `${round(cpuSpent / 1000, 1)} s of CPU (user + system) over the rollout, ${round((100 * cpuSpent) / totalMs, 0)} % of one core; polling the rollout list every ${ROLLOUT_POLL_MS} ms included`,
      },
      {
        id: `${rid}.peakInFlight`,
        label: `${label}: installs running at once (peak)`,
        value: peak,
        unit: '',
        budget: atMost(o.inFlight, false),
        detail: `counted by the simulator; maxInFlight ${o.inFlight}`,
      },
      {
        id: `${rid}.notOnce`,
        label: `${label}: servers not installed exactly once`,
        value: notOnce,
        unit: '',
        budget: atMost(0, false),
        detail: `${requested.length} install requests at the simulator for ${eligible.length} servers; ${done.counts.done} done, ${done.counts.failed} failed`,
      },
      {
        id: `${rid}.heapGrowth`,
        label: `${label}: BFF heap growth, start → end (after GC)`,
        value: mib(atEnd.heapUsed - atStart.heapUsed),
        unit: 'MiB',
        budget: atMost(BUDGETS.rolloutHeapGrowthBytes / MiB, false),
        detail: `heap ${mib(atStart.heapUsed)} / ${atMiddle ? mib(atMiddle.heapUsed) : '—'} / ${mib(atEnd.heapUsed)} MiB, RSS ${mib(atStart.rss)} / ${atMiddle ? mib(atMiddle.rss) : '—'} / ${mib(atEnd.rss)} MiB at start / middle (${middleDone} done) / end`,
      },
    ];
  } finally {
    await bff?.stop();
    await database?.close();
    await sim?.stop();
    await images?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
