/** BFF overhead: `GET /api/servers/:sn` served warm, under autocannon's load (50 connections). */
import autocannon from 'autocannon';
import { atLeast, atMost, BUDGETS, type Measurement } from './budgets.ts';
import type { RunningBff } from './bff.ts';
import { round } from './stats.ts';

export interface DetailOptions {
  serverName: string;
  durationSeconds: number;
  connections: number;
}

export async function measureDetail(bff: RunningBff, o: DetailOptions): Promise<Measurement[]> {
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
  const result = await autocannon({
    url,
    headers,
    connections: o.connections,
    duration: o.durationSeconds,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  const detail = `${result.requests.total} requests, p50 ${result.latency.p50} ms, ${errors} errors`;
  return [
    {
      id: 'detail.p99',
      label: 'GET /api/servers/:sn warm: p99',
      value: result.latency.p99,
      unit: 'ms',
      budget: atMost(BUDGETS.detailP99Ms),
      detail: `${o.connections} connections, ${o.durationSeconds} s`,
    },
    {
      id: 'detail.rps',
      label: 'GET /api/servers/:sn warm: throughput',
      value: round(result.requests.average, 0),
      unit: 'req/s',
      budget: atLeast(BUDGETS.detailRps),
      detail,
    },
    {
      id: 'detail.errors',
      label: 'GET /api/servers/:sn warm: errors',
      value: errors,
      unit: '',
      budget: atMost(0, false),
      detail: `${result.errors} socket, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    },
  ];
}
