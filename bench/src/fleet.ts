/**
 * Fleet listing at scale, through `GET /api/servers` with the simulator adding latency to every
 * upstream call: the first page of 50 cold, a search over display names cold, every server of the
 * fleet cold (the largest pages the console serves, asked at once), page 1 again warm, and the
 * upstream calls a cold first page costs (counted by the simulator's admin API). "Cold" is the
 * cache's state, not the process's: the fleet is read once first (as a console that has been up for
 * a while has), then the bench waits for the TTL to run out.
 *
 * Side by side, in the same run, the way other OVH tools list servers — the names, then one call
 * per server: at concurrency 10 as `ovhcloud-cli` does, and at 16 as this console did before it read
 * OVH's expanded pages — against a simulator like the console's (same fleet, same latency).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import ovh from '@ovhcloud/node-ovh';
import { DEFAULT_FIXTURES, startSimulator } from '@byoi/ovh-simulator';
import type { ServerListResponse } from '@byoi/shared';
import { trustCertificate } from '../../apps/bff/src/ovh/connect.ts';
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
/** The largest page `GET /api/servers` serves (apps/bff/src/routes/servers.ts). */
export const MAX_PAGE_SIZE = 1000;
/** Matches the display names `fleet-0001` … `fleet-0099` of the simulator's generated fleet. */
export const DISPLAY_NAME_SEARCH = 'fleet-00';

async function getPage(
  bff: RunningBff,
  query: { page?: number; pageSize?: number; search?: string },
): Promise<ServerListResponse> {
  const params = new URLSearchParams({
    page: String(query.page ?? 1),
    pageSize: String(query.pageSize ?? PAGE_SIZE),
  });
  if (query.search) params.set('search', query.search);
  const res = await fetch(`${bff.url}/api/servers?${params.toString()}`, {
    headers: { cookie: bff.session.cookie },
  });
  if (res.status !== 200) {
    throw new Error(
      `GET /api/servers?${params.toString()} answered ${res.status}: ${await res.text()}`,
    );
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

const pagesDetail = (pages: number): string =>
  pages === 1 ? `1 page of ${MAX_PAGE_SIZE}` : `${pages} pages of ${MAX_PAGE_SIZE} asked at once`;

/** Every server, as pages of the largest size asked at once. */
async function getFleet(bff: RunningBff, servers: number) {
  const pages = Math.ceil(servers / MAX_PAGE_SIZE);
  const all = await Promise.all(
    Array.from({ length: pages }, (_, i) => getPage(bff, { page: i + 1, pageSize: MAX_PAGE_SIZE })),
  );
  const names = new Set(all.flatMap((p) => p.items.map((s) => s.name)));
  if (names.size !== servers) {
    throw new Error(
      `The whole fleet came back with ${names.size} distinct servers, expected ${servers}.`,
    );
  }
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

/** Upstream calls the simulator counted, all routes together. */
async function upstreamCalls(bff: RunningBff): Promise<number> {
  return Object.values(await bff.simulatorCalls()).reduce((sum, n) => sum + n, 0);
}

/** Round trips a duration amounts to, at the simulator's latency per call. */
const trips = (ms: number, latencyMs: number) => Math.round((ms / latencyMs) * 10) / 10;

/** The names, then one call per server at `concurrency`: how long the first 50, and all of them. */
async function perServerListing(o: FleetOptions, concurrency: number) {
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    latencyMs: o.latencyMs,
    serverCount: o.servers - DEFAULT_FIXTURES.length,
  });
  try {
    trustCertificate(sim.ca);
    const client = ovh({
      appKey: sim.applicationKey,
      appSecret: sim.applicationSecret,
      consumerKey: sim.consumerKey,
      host: '127.0.0.1',
      port: sim.port,
      basePath: '/1.0',
    });
    // As a tool does once per run: learn OVH's clock (node-ovh's first call).
    await client.requestPromised('GET', '/dedicated/server');
    const limit = pLimit(concurrency);
    const start = performance.now();
    const names = (await client.requestPromised('GET', '/dedicated/server')) as string[];
    const sorted = [...names].sort();
    const first = sorted.slice(0, PAGE_SIZE);
    await Promise.all(
      first.map((sn) => limit(() => client.requestPromised('GET', `/dedicated/server/${sn}`))),
    );
    const firstPageMs = since(start);
    await Promise.all(
      sorted
        .slice(PAGE_SIZE)
        .map((sn) => limit(() => client.requestPromised('GET', `/dedicated/server/${sn}`))),
    );
    return { firstPageMs, allMs: since(start), calls: 1 + sorted.length };
  } finally {
    await sim.close();
  }
}

export async function measureFleet(bff: RunningBff, o: FleetOptions): Promise<Measurement[]> {
  const rtt = o.latencyMs;
  // 0. A process that has served before (compiled code, learnt OVH's clock), with nothing cached.
  await getFleet(bff, o.servers);
  await getPage(bff, { search: DISPLAY_NAME_SEARCH });
  let cachedAt = performance.now();

  // 1. Cold: nothing cached; the first screen alone; the upstream calls it made.
  const cold: number[] = [];
  let coldCalls = Number.NaN;
  for (let i = 0; i < o.coldSamples; i++) {
    await expire(o.cacheTtlMs, cachedAt);
    await checkSession(bff);
    const callsBefore = i === 0 ? await upstreamCalls(bff) : 0;
    const start = performance.now();
    const first = await getPage(bff, {});
    cold.push(since(start));
    cachedAt = performance.now();
    if (i === 0) coldCalls = (await upstreamCalls(bff)) - callsBefore;
    checkPage(first, Math.min(PAGE_SIZE, o.servers), 'The first page');
    if (first.total !== o.servers) {
      throw new Error(`The fleet holds ${first.total} servers, expected ${o.servers}.`);
    }
  }

  // 2. Warm: the same page again, within the cache's TTL.
  const warm: number[] = [];
  for (let i = 0; i < o.warmSamples; i++) {
    const start = performance.now();
    checkPage(await getPage(bff, {}), Math.min(PAGE_SIZE, o.servers), 'The warm first page');
    warm.push(since(start));
  }

  // 3. Cold: a search over display names.
  const searches: number[] = [];
  for (let i = 0; i < o.coldSamples; i++) {
    await expire(o.cacheTtlMs, cachedAt);
    await checkSession(bff);
    const start = performance.now();
    const found = await getPage(bff, { search: DISPLAY_NAME_SEARCH });
    searches.push(since(start));
    cachedAt = performance.now();
    if (
      found.total === 0 ||
      found.items.some((s) => !s.displayName.includes(DISPLAY_NAME_SEARCH))
    ) {
      throw new Error(`The search for "${DISPLAY_NAME_SEARCH}" found ${found.total} servers.`);
    }
  }

  // 4. Cold: every server with its details.
  await expire(o.cacheTtlMs, cachedAt);
  await checkSession(bff);
  const start = performance.now();
  await getFleet(bff, o.servers);
  const allMs = since(start);

  // 5. The way other tools list servers, in the same run.
  const cli = await perServerListing(o, 10);
  const before = await perServerListing(o, o.concurrency);

  const setup = `${o.servers} servers, ${rtt} ms per upstream call`;
  const ratio = (ms: number) => `${round(ms / allMs)}× the console's whole-fleet time`;
  return [
    {
      id: 'fleet.coldFirstPage',
      label: 'Fleet: first 50 servers, cold (median)',
      value: round(median(cold)),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetFirstPageRoundTrips * rtt),
      roundTrips: trips(median(cold), rtt),
      detail: `${setup}; ${cold.map((v) => round(v)).join(', ')} ms`,
    },
    {
      id: 'fleet.coldFirstPageCalls',
      label: 'Fleet: upstream calls for a cold first page',
      value: coldCalls,
      unit: 'calls',
      budget: atMost(BUDGETS.fleetFirstPageCalls, false),
      detail: 'counted by the simulator (GET /_sim/calls)',
    },
    {
      id: 'fleet.coldSearch',
      label: 'Fleet: search over display names, cold (median)',
      value: round(median(searches)),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetSearchRoundTrips * rtt),
      roundTrips: trips(median(searches), rtt),
      detail: `"${DISPLAY_NAME_SEARCH}": names and display names, asked at once`,
    },
    {
      id: 'fleet.coldAll',
      label: 'Fleet: every server with details, cold',
      value: round(allMs),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetAllRoundTrips * rtt),
      roundTrips: trips(allMs, rtt),
      detail: pagesDetail(Math.ceil(o.servers / MAX_PAGE_SIZE)),
    },
    {
      id: 'fleet.warmList',
      label: 'Fleet: first page, warm (p95)',
      value: round(percentile(warm, 95)),
      unit: 'ms',
      budget: atMost(BUDGETS.fleetWarmListMs),
      detail: `median ${round(median(warm))} ms over ${o.warmSamples}`,
    },
    {
      id: 'fleet.perServerCli.first',
      label: 'One call per server, concurrency 10 (ovhcloud-cli): first 50',
      value: round(cli.firstPageMs),
      unit: 'ms',
      budget: null,
      roundTrips: trips(cli.firstPageMs, rtt),
      detail: `names, then 50 detail calls; ${round(cli.firstPageMs / median(cold))}× the console's`,
    },
    {
      id: 'fleet.perServerCli.all',
      label: 'One call per server, concurrency 10 (ovhcloud-cli): every server',
      value: round(cli.allMs),
      unit: 'ms',
      budget: null,
      roundTrips: trips(cli.allMs, rtt),
      detail: `${cli.calls} calls; ${ratio(cli.allMs)}`,
    },
    {
      id: 'fleet.perServerBefore.first',
      label: `One call per server, concurrency ${o.concurrency} (this console before): first 50`,
      value: round(before.firstPageMs),
      unit: 'ms',
      budget: null,
      roundTrips: trips(before.firstPageMs, rtt),
      detail: `${round(before.firstPageMs / median(cold))}× the console's`,
    },
    {
      id: 'fleet.perServerBefore.all',
      label: `One call per server, concurrency ${o.concurrency} (this console before): every server`,
      value: round(before.allMs),
      unit: 'ms',
      budget: null,
      roundTrips: trips(before.allMs, rtt),
      detail: `${before.calls} calls; ${ratio(before.allMs)}`,
    },
  ];
}
