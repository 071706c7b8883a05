/**
 * `pnpm bench`: starts what it needs (the BFF with its embedded simulator holding the fleet, the
 * image server, Chromium, a BFF on each store engine), measures each figure of issue #8 against its
 * budget, prints a table, writes bench/results.json, and exits 1 when a budget is missed.
 *
 *   pnpm bench                 the full run (1,000 servers, 50 ms per upstream call)
 *   pnpm bench --smoke         a short run for CI (BENCH_SMOKE=1 works too); timing budgets ×3
 *   pnpm bench --only=fleet,web   some sections only (fleet, detail, web, store, rollout, verify)
 */
import os from 'node:os';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_FIXTURES } from '@byoi/ovh-simulator';
import { judge, SMOKE_LOOSENESS, type Judged, type Measurement, type Mode } from './budgets.ts';
import { startBff, type RunningBff } from './bff.ts';
import { measureDetail } from './detail.ts';
import { measureFleet } from './fleet.ts';
import { measureRollout } from './rollout.ts';
import { measureStore } from './store.ts';
import { BENCH_DIR } from './paths.ts';
import { formatTable } from './table.ts';
import { measureVerify } from './verify.ts';
import { ensureWebBuild, measureWeb } from './web.ts';

/**
 * The rollout section's install watch and driver tick. The simulator at speed 1 already installs
 * in about a minute where OVH takes 10–30, and ×10 makes it 7 s: the defaults (10 s, 2 s) scaled
 * the same way would be under 100 ms. These are values a deployment may set too (each running
 * install read from OVH twice a second at most), and still a larger share of an install than the
 * defaults are of a real one.
 */
const ROLLOUT_WATCH_INTERVAL_MS = 500;
const ROLLOUT_TICK_MS = 200;

const SECTIONS = ['fleet', 'detail', 'web', 'store', 'rollout', 'verify'] as const;
type Section = (typeof SECTIONS)[number];

interface Settings {
  servers: number;
  latencyMs: number;
  concurrency: number;
  cacheTtlMs: number;
  warmSamples: number;
  coldSamples: number;
  detailSeconds: number;
  /** The latency run's steady rate (req/s), half the throughput budget in the full run. */
  detailPacedRate: number;
  /** Latency runs per BFF, the lowest p99 kept (see DetailOptions). */
  detailPacedRuns: number;
  webRuns: number;
  /** Install submits timed on each store engine. */
  storeSubmits: number;
  /** How long the audit load runs on each store engine. */
  auditSeconds: number;
  verifyMiB: number;
  verifyRounds: number;
  /** The rollout section: servers, the simulator's clock, batchSize = maxInFlight, store engines
   * (PostgreSQL works too, at about 4 more minutes). */
  rolloutServers: number;
  rolloutClockSpeed: number;
  rolloutInFlight: number;
  rolloutEngines: ('pglite' | 'postgres')[];
}

const SETTINGS: Record<Mode, Settings> = {
  full: {
    servers: 1000,
    latencyMs: 50,
    concurrency: 16,
    cacheTtlMs: 5000,
    warmSamples: 50,
    coldSamples: 5,
    detailSeconds: 10,
    detailPacedRate: 1000,
    detailPacedRuns: 1,
    webRuns: 5,
    storeSubmits: 30,
    auditSeconds: 5,
    verifyMiB: 1024,
    verifyRounds: 3,
    rolloutServers: 1000,
    rolloutClockSpeed: 10,
    rolloutInFlight: 100,
    rolloutEngines: ['pglite', 'postgres'],
  },
  smoke: {
    servers: 200,
    latencyMs: 50,
    concurrency: 16,
    cacheTtlMs: 1500,
    warmSamples: 10,
    coldSamples: 1,
    detailSeconds: 3,
    detailPacedRate: 300,
    detailPacedRuns: 3,
    webRuns: 1,
    storeSubmits: 10,
    auditSeconds: 2,
    verifyMiB: 64,
    verifyRounds: 1,
    rolloutServers: 200,
    rolloutClockSpeed: 20,
    rolloutInFlight: 50,
    rolloutEngines: ['pglite'],
  },
};

function parseArgs(argv: string[]): { mode: Mode; sections: Section[] } {
  let mode: Mode = process.env.BENCH_SMOKE === '1' ? 'smoke' : 'full';
  let sections: Section[] = [...SECTIONS];
  for (const arg of argv) {
    if (arg === '--smoke') mode = 'smoke';
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',');
      const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (unknown.length > 0) {
        throw new Error(`Unknown section(s) ${unknown.join(', ')}: use ${SECTIONS.join(', ')}.`);
      }
      sections = wanted as Section[];
    } else {
      throw new Error(
        `Unknown argument "${arg}". Use --smoke and/or --only=${SECTIONS.join(',')}.`,
      );
    }
  }
  return { mode, sections };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function failed(id: string, label: string, error: unknown): Measurement {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id,
    label,
    value: Number.NaN,
    unit: '',
    budget: { kind: 'max', limit: 0, noisy: false },
    detail: `error: ${message}`,
  };
}

async function main(): Promise<number> {
  const { mode, sections } = parseArgs(process.argv.slice(2));
  const s = SETTINGS[mode];
  const started = Date.now();
  const measurements: Measurement[] = [];
  log(`${mode} run: ${sections.join(', ')}`);
  /** Runs one section; a section that throws is recorded as a failed measurement. */
  const section = async (id: Section, label: string, run: () => Promise<Measurement[]>) => {
    log(`${label}…`);
    try {
      measurements.push(...(await run()));
    } catch (error) {
      measurements.push(failed(id, label, error));
    }
  };

  const needsBff = sections.some((x) => x === 'fleet' || x === 'detail' || x === 'web');
  if (sections.includes('web')) ensureWebBuild(log);
  let bff: RunningBff | null = null;
  try {
    if (needsBff) {
      log(
        `starting the BFF: ${s.servers} servers, ${s.latencyMs} ms per upstream call, concurrency ${s.concurrency}`,
      );
      bff = await startBff({
        // The fleet is exactly `servers`: the simulator's default servers plus generated ones.
        serverCount: s.servers - DEFAULT_FIXTURES.length,
        latencyMs: s.latencyMs,
        concurrency: s.concurrency,
        cacheTtlMs: s.cacheTtlMs,
      });
    }
    const running = bff;
    if (running && sections.includes('fleet'))
      await section('fleet', 'Fleet listing', () => measureFleet(running, s));
    if (running && sections.includes('detail'))
      await section('detail', 'GET /api/servers/:sn', () =>
        measureDetail(running, {
          serverName: DEFAULT_FIXTURES[0]?.name ?? '',
          durationSeconds: s.detailSeconds,
          connections: 50,
          pacedRate: s.detailPacedRate,
          pacedRuns: s.detailPacedRuns,
        }),
      );
    if (running && sections.includes('web'))
      await section('web', 'Web first load', () => measureWeb(running, s.webRuns));
  } catch (error) {
    measurements.push(failed('bff', 'Starting the BFF', error));
  } finally {
    await bff?.stop();
  }
  // Each engine's BFF runs alone, after the fleet's has stopped.
  if (sections.includes('store')) {
    for (const engine of ['pglite', 'postgres'] as const) {
      await section('store', `Store: ${engine}`, () =>
        measureStore(engine, {
          detailSeconds: s.detailSeconds,
          detailPacedRate: s.detailPacedRate,
          detailPacedRuns: s.detailPacedRuns,
          cacheTtlMs: s.cacheTtlMs,
          submits: s.storeSubmits,
          auditSeconds: s.auditSeconds,
        }),
      );
    }
  }
  if (sections.includes('rollout')) {
    for (const engine of s.rolloutEngines) {
      await section('rollout', `Rollout: ${engine}`, () =>
        measureRollout({
          engine,
          servers: s.rolloutServers,
          clockSpeed: s.rolloutClockSpeed,
          inFlight: s.rolloutInFlight,
          watchIntervalMs: ROLLOUT_WATCH_INTERVAL_MS,
          tickMs: ROLLOUT_TICK_MS,
        }),
      );
    }
  }
  if (sections.includes('verify'))
    await section('verify', 'Preflight verify', () =>
      measureVerify({ sizeMiB: s.verifyMiB, rounds: s.verifyRounds }),
    );

  const judged: Judged[] = measurements.map((m) => judge(m, mode));
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\n${formatTable(judged, mode)}\n`);
  const results = {
    mode,
    smokeLooseness: mode === 'smoke' ? SMOKE_LOOSENESS : 1,
    date: new Date(started).toISOString(),
    durationSeconds: Math.round(seconds),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    settings: s,
    measurements: judged,
    pass: judged.every((m) => m.pass),
  };
  await writeFile(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const missed = judged.filter((m) => !m.pass);
  log(
    `${judged.length - missed.length}/${judged.length} within budget in ${Math.round(seconds)} s; wrote bench/results.json`,
  );
  if (missed.length > 0) log(`missed: ${missed.map((m) => m.label).join('; ')}`);
  return missed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
