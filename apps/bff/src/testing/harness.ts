/**
 * Test support: the real app, the real node-ovh client and the real simulator started in-process,
 * with the log captured so tests can read what would have been written.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { createApp } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { connectOvh, type RunningSimulator } from '../ovh/connect.ts';
import type { OvhApi } from '../ovh/api.ts';

export interface Harness {
  app: Express;
  config: Config;
  ovh: OvhApi;
  sim: RunningSimulator;
  /** Every log line written so far (JSON). */
  logLines: string[];
  close(): Promise<void>;
}

export function captureLog(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination: stream }) };
}

export async function startHarness(env: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const config = loadConfig({
    SIMULATOR_CLOCK_SPEED: '1000',
    SERVER_CACHE_TTL_MS: '5000',
    OVH_TIMEOUT_MS: '3000',
    WEB_DIST_DIR: mkdtempSync(path.join(os.tmpdir(), 'byoi-dist-')),
    ...env,
  });
  const connection = await connectOvh(config, { retry: { maxRetries: 2, baseDelayMs: 20 } });
  const sim = connection.simulator;
  if (!sim) throw new Error('the harness runs in simulator mode: do not pass OVH credentials');
  const { lines, logger } = captureLog();
  const app = createApp({ config, ovh: connection.api, logger });
  return {
    app,
    config,
    ovh: connection.api,
    sim,
    logLines: lines,
    close: () => connection.close(),
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
