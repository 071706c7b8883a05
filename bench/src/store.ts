/**
 * The store's cost, on each engine the console runs on: PGlite (the default, in DATA_DIR) and
 * PostgreSQL (DATABASE_URL: a fresh database made as the tests make theirs, on TEST_DATABASE_URL or
 * 127.0.0.1:5432). Each engine gets a BFF of its own whose simulator answers at once (latency 0),
 * so the figures are the console's own work, the store's included, plus the simulator's on loopback:
 * - the warm server page, against the `detail` section's budgets;
 * - install submits (`POST /api/servers/:sn/install` with an Idempotency-Key, as the web app sends
 *   them), one at a time, each on a server of its own never installed before, and counted at the
 *   simulator; spread over several operators, so that the per-user limit (10 a minute) is not what
 *   is timed;
 * - audit entries stored per second: 50 connections of a viewer sending installs, each refused (403)
 *   and audited. The audit trail answers once the entry is committed, so answers per second are
 *   entries stored per second; they are counted back through `GET /api/audit` afterwards.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type { AuditListResponse } from '@byoi/shared';
import { testStore, type TestStore } from '../../apps/bff/src/testing/testStore.ts';
import { atMost, type Measurement } from './budgets.ts';
import { startBff, type RunningBff, type Session } from './bff.ts';
import { measureDetail } from './detail.ts';
import { median, percentile, round, since } from './stats.ts';

export type StoreEngine = 'pglite' | 'postgres';

export interface StoreBenchOptions {
  detailSeconds: number;
  detailPacedRate: number;
  detailPacedRuns: number;
  cacheTtlMs: number;
  /** Install submits timed (after a short warm-up). */
  submits: number;
  auditSeconds: number;
}

const ENGINE_NAMES: Record<StoreEngine, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };
/** Under the default install limit of 10 a minute per user. */
const SUBMITS_PER_USER = 9;
const SUBMIT_WARMUP = 2;
const VIEWER = 'bench-viewer';
const AUDIT_CONNECTIONS = 50;
/** Nothing listens there: the simulator's download fails at once, after the submit was answered. */
const IMAGE_URL = 'http://127.0.0.1:9/images/bench.qcow2';
const EFI = '\\efi\\debian\\grubx64.efi';

function headersFor(bff: RunningBff, session: Session): Record<string, string> {
  return {
    cookie: session.cookie,
    origin: bff.url,
    'x-csrf-token': session.csrf,
    'content-type': 'application/json',
  };
}

async function openDatabase(): Promise<TestStore> {
  try {
    return await testStore({ kind: 'postgres' });
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} By hand: bash scripts/test-postgres.sh corepack pnpm bench`,
    );
  }
}

async function measureSubmits(
  bff: RunningBff,
  engine: StoreEngine,
  submitters: string[],
  count: number,
): Promise<Measurement[]> {
  const total = count + SUBMIT_WARMUP;
  const servers = Array.from(
    { length: total },
    (_, i) => `bench-submit-${engine}-${String(i + 1).padStart(3, '0')}`,
  );
  for (const name of servers) {
    await bff.simulatorAdmin('POST', '/_sim/servers', { name, like: DEFAULT_SERVER });
  }
  const sessions = await Promise.all(submitters.map((name) => bff.signInAs(name)));
  const body = JSON.stringify({ imageURL: IMAGE_URL, imageType: 'qcow2', efiBootloaderPath: EFI });
  const callsBefore = await bff.simulatorCalls();
  const latencies: number[] = [];
  for (const [i, sn] of servers.entries()) {
    const session = sessions[Math.floor(i / SUBMITS_PER_USER)];
    if (!session) throw new Error(`No operator left for submit ${i + 1}.`);
    const started = performance.now();
    const res = await fetch(`${bff.url}/api/servers/${sn}/install`, {
      method: 'POST',
      headers: { ...headersFor(bff, session), 'idempotency-key': randomUUID() },
      body,
    });
    const text = await res.text();
    const ms = since(started);
    if (res.status !== 202) {
      throw new Error(`POST /api/servers/${sn}/install answered ${res.status}: ${text}`);
    }
    if (i >= SUBMIT_WARMUP) latencies.push(ms);
  }
  const callsAfter = await bff.simulatorCalls();
  const { installs } = (await bff.simulatorAdmin('GET', '/_sim/requests')) as {
    installs: { serviceName: string }[];
  };
  const received = installs.filter((r) => servers.includes(r.serviceName)).length;
  if (received !== total) {
    throw new Error(`The simulator received ${received} install requests for ${total} submits.`);
  }
  const upstream =
    Object.values(callsAfter).reduce((a, b) => a + b, 0) -
    Object.values(callsBefore).reduce((a, b) => a + b, 0);
  return [
    {
      id: `store.${engine}.submit`,
      label: `Install submit, ${ENGINE_NAMES[engine]} store (median)`,
      value: round(median(latencies), 1),
      unit: 'ms',
      // No budget exists for a submit; the figure shows what the store adds to one.
      budget: null,
      detail: `p95 ${round(percentile(latencies, 95), 1)} ms over ${latencies.length}, one at a time, each on a fresh server; ${round(upstream / total, 1)} upstream calls each, 0 ms upstream latency`,
    },
  ];
}

/** Entries of `user` in the audit log, counted page by page. */
async function countAuditEntries(bff: RunningBff, user: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      user,
      event: 'install',
      outcome: 'refused',
      limit: '1000',
    });
    if (cursor !== null) query.set('cursor', cursor);
    const res = await fetch(`${bff.url}/api/audit?${query.toString()}`, {
      headers: { cookie: bff.session.cookie },
    });
    if (res.status !== 200)
      throw new Error(`GET /api/audit answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as AuditListResponse;
    count += page.entries.filter((e) => e.user === user).length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

async function measureAuditRate(
  bff: RunningBff,
  engine: StoreEngine,
  seconds: number,
): Promise<Measurement[]> {
  const viewer = await bff.signInAs(VIEWER);
  const result = await autocannon({
    url: `${bff.url}/api/servers/${DEFAULT_SERVER}/install`,
    method: 'POST',
    headers: headersFor(bff, viewer),
    body: '{}',
    connections: AUDIT_CONNECTIONS,
    duration: seconds,
  });
  const refused =
    (result.statusCodeStats as Record<string, { count: number } | undefined>)['403']?.count ?? 0;
  const failed = result.requests.total - refused + result.errors + result.timeouts;
  const stored = await countAuditEntries(bff, VIEWER);
  const rate = refused / result.duration;
  return [
    {
      id: `store.${engine}.auditRate`,
      label: `Audit entries stored per second, ${ENGINE_NAMES[engine]} store`,
      value: round(rate, 0),
      unit: 'entries/s',
      budget: null,
      detail: `${AUDIT_CONNECTIONS} connections for ${seconds} s, each request a refused install answered once its entry was committed; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
    },
    {
      id: `store.${engine}.auditLost`,
      label: `Audit under load, ${ENGINE_NAMES[engine]} store: entries missing or requests failed`,
      value: Math.max(0, refused - stored) + failed,
      unit: '',
      budget: atMost(0, false),
      detail: `${refused} refusals answered, ${stored} entries counted back through GET /api/audit, ${failed} other answers or socket errors`,
    },
  ];
}

export async function measureStore(
  engine: StoreEngine,
  o: StoreBenchOptions,
): Promise<Measurement[]> {
  const database = engine === 'postgres' ? await openDatabase() : null;
  const submitters = Array.from(
    { length: Math.ceil((o.submits + SUBMIT_WARMUP) / SUBMITS_PER_USER) },
    (_, i) => `bench-submitter-${i + 1}`,
  );
  let bff: RunningBff | null = null;
  try {
    bff = await startBff({
      serverCount: 0,
      latencyMs: 0,
      concurrency: 16,
      cacheTtlMs: o.cacheTtlMs,
      users: [
        ...submitters.map((username) => ({ username, role: 'operator' as const })),
        { username: VIEWER, role: 'viewer' },
      ],
      env: database?.url ? { DATABASE_URL: database.url } : {},
    });
    const detail = await measureDetail(bff, {
      serverName: DEFAULT_SERVER,
      durationSeconds: o.detailSeconds,
      connections: 50,
      pacedRate: o.detailPacedRate,
      pacedRuns: o.detailPacedRuns,
      rows: {
        id: `store.${engine}.detail`,
        label: `GET /api/servers/:sn warm, ${ENGINE_NAMES[engine]} store`,
      },
    });
    const submits = await measureSubmits(bff, engine, submitters, o.submits);
    const audit = await measureAuditRate(bff, engine, o.auditSeconds);
    return [...detail, ...submits, ...audit];
  } finally {
    await bff?.stop();
    await database?.close();
  }
}
