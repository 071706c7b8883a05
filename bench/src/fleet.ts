/**
 * Fleet listing at scale, through `GET /api/servers` with the simulator adding latency to every
 * upstream call: the first page of 50 cold, every page of the fleet cold (requested at once, as a
 * streaming UI would), and page 1 again warm. "Cold" is the cache's state, not the process's: the
 * fleet is read once first (as a console that has been up for a while has), then the bench waits
 * for the TTL to run out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerListResponse } from '@byoi/shared';
import { atMost, BUDGETS, type Measurement } from './budgets.ts';
import type { RunningBff } from './bff.ts';
import { median, percentile, round, since } from './stats.ts';

export interface FleetOptions {
  servers: number;
  latencyMs: number;
  concurrency: number;
  cacheTtlMs: number;
  warmSamples: number;
  /** Cold first-page loads (each waits for the cache to empty); the median is reported. */
  coldSamples: number;
}

export const PAGE_SIZE = 50;

async function getPage(bff: RunningBff, page: number): Promise<ServerListResponse> {
  const res = await fetch(`${bff.url}/api/servers?page=${page}&pageSize=${PAGE_SIZE}`, {
    headers: { cookie: bff.session.cookie },
  });
  if (res.status !== 200) {
    throw new Error(`GET /api/servers?page=${page} answered ${res.status}: ${await res.text()}`);
  }
  return (await res.json()) as ServerListResponse;
}

function checkPage(body: ServerListResponse, expected: number, what: string): void {
  if (body.items.length !== expected) {
    throw new Error(`${what} held ${body.items.length} servers, expected ${expected}.`);
  }
  if (body.items.some((s) => s.displayName === '' || s.datacenter === '')) {
    throw new Error(`${what} came back without server details.`);
  }
}

async function getAllPages(bff: RunningBff, pages: number, onFirst: () => void) {
  return Promise.all(
    Array.from({ length: pages }, (_, i) =>
      getPage(bff, i + 1).then((body) => {
        if (i === 0) onFirst();
        return body;
      }),
    ),
  );
}

/**
 * What the web app asks just before the list: its session check (`GET /api/session`). It reads
 * no OVH data, so the cache stays cold; but the list request no longer pays for the machine waking
 * from the idle wait (measured on this VM: the first request after a few idle seconds takes
 * 15–50 ms more, against a bare Node server or with curl alike), which is not the console's cost.
 */
async function checkSession(bff: RunningBff): Promise<void> {
  const res = await fetch(`${bff.url}/api/session`, { headers: { cookie: bff.session.cookie } });
  if (res.status !== 200) {
    throw new Error(`GET /api/session answered ${res.status}: ${await res.text()}`);
  }
  await res.arrayBuffer();
}

/** Entries are answered stale for one more TTL while they refresh: wait out both. */
const expire = (ttlMs: number, since: number) =>
  sleep(Math.max(0, 2 * ttlMs + 250 - (performance.now() - since)));

export async function measureFleet(bff: RunningBff, o: FleetOptions): Promise<Measurement[]> {
  const pages = Math.ceil(o.servers / PAGE_SIZE);
  const fleetLimitMs = BUDGETS.fleetAllFactor * Math.ceil(o.servers / o.concurrency) * o.latencyMs;

  // 0. A process that has served before (compiled code, learnt OVH's clock), with nothing cached.
  await getAllPages(bff, pages, () => undefined);
  await expire(o.cacheTtlMs, performance.now());

  // 1. Cold: nothing cached; the first screen alone.
  const cold: number[] = [];
  let start = performance.now();
  let cachedAt = start;
  for (let i = 0; i < o.coldSamples; i++) {
    if (i > 0) await expire(o.cacheTtlMs, cachedAt);
    await checkSession(bff);
    start = performance.now();
    const first = await getPage(bff, 1);
    cold.push(since(start));
    cachedAt = performance.now();
    checkPage(first, Math.min(PAGE_SIZE, o.servers), 'The first page');
    if (first.total !== o.servers) {
      throw new Error(`The fleet holds ${first.total} servers, expected ${o.servers}.`);
    }
  }

  // 2. Warm: the same page again, within the cache's TTL.
  const warm: number[] = [];
  for (let i = 0; i < o.warmSamples; i++) {
    start = performance.now();
    checkPage(await getPage(bff, 1), Math.min(PAGE_SIZE, o.servers), 'The warm first page');
    warm.push(since(start));
  }

  // 3. Cold again (the TTL has run out): every page at once, the first one first.
  await expire(o.cacheTtlMs, cachedAt);
  await checkSession(bff);
  start = performance.now();
  let firstArrivedMs = Number.NaN;
  const all = await getAllPages(bff, pages, () => {
    firstArrivedMs = since(start);
  });
  const allMs = since(start);
  const names = new Set(all.flatMap((p) => p.items.map((s) => s.name)));
  if (names.size !== o.servers) {
    throw new Error(
      `The whole fleet came back with ${names.size} distinct servers, expected ${o.servers}.`,
    );
  }

  const setup = `${o.servers} servers, ${o.latencyMs} ms/upstream call, concurrency ${o.concurrency}`;
  return [
    {
      id: 'fleet.coldFirstPage',
      label: 'Fleet: first 50 servers, cold (median)',
      value: round(median(cold)),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetFirstPageMs),
      detail: `${setup}; ${cold.map((v) => round(v)).join(', ')} ms`,
    },
    {
      id: 'fleet.coldFirstPageWhileFleetLoads',
      label: 'Fleet: first 50, cold, all pages asked at once',
      value: round(firstArrivedMs),
      unit: 'ms',
      // Informative: the console asks for one page at a time; here page 1 competes with the rest.
      budget: null,
      detail: `${pages} pages of ${PAGE_SIZE} requested together`,
    },
    {
      id: 'fleet.coldAll',
      label: 'Fleet: every server with details, cold',
      value: round(allMs),
      unit: 'ms',
      budget: atMost(round(fleetLimitMs)),
      detail: `budget 1.2 × ⌈${o.servers}/${o.concurrency}⌉ × ${o.latencyMs} ms`,
    },
    {
      id: 'fleet.warmList',
      label: 'Fleet: first page, warm (p95)',
      value: round(percentile(warm, 95)),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetWarmListMs),
      detail: `median ${round(median(warm))} ms over ${o.warmSamples}`,
    },
  ];
}
