/**
 * An open-loop load generator: requests sent on a steady schedule (not "as soon as the previous
 * answer came back"), over a pool of keep-alive connections, each request timed from its send to
 * the end of its answer. Used for latency: with a closed loop of N connections, latency is just
 * N / throughput (Little's law), and autocannon's rate option sends each connection's quota in a
 * burst at the start of every second, which measures the same queue.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PacedResult {
  latenciesMs: number[];
  errors: number;
  /** Requests per second actually sent. */
  achievedRate: number;
}

export async function pacedLoad(options: {
  url: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  connections: number;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latenciesMs: number[] = [];
  let errors = 0;
  let sent = 0;

  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.get(options.url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latenciesMs.push(performance.now() - started);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });

  const interval = 1000 / options.rate;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const pending = new Set<Promise<void>>();
  let due = start;
  while (performance.now() < end) {
    const now = performance.now();
    // A generator stalled by the machine does not fire a burst to catch up: it skips ahead.
    if (now - due > 10 * interval) due = now;
    while (due <= now) {
      const request = one();
      pending.add(request);
      void request.then(() => pending.delete(request));
      sent++;
      due += interval;
    }
    await sleep(Math.max(0, due - performance.now()));
  }
  await Promise.all(pending);
  agent.destroy();
  return { latenciesMs, errors, achievedRate: sent / ((performance.now() - start) / 1000) };
}
