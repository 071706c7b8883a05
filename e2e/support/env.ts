/**
 * Run-wide settings shared by playwright.config.ts, the global setup and the workers. The config
 * file is evaluated in the runner and again in every worker, so anything chosen at random (free
 * ports, the run directory) is chosen once and handed down through environment variables.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A free loopback port, found synchronously (the config cannot await). */
function freePort(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

function once(name: string, make: () => string): string {
  const existing = process.env[name];
  if (existing) return existing;
  const value = make();
  process.env[name] = value;
  return value;
}

export type Route = 'install-start' | 'reinstall';
export const ROUTES: readonly Route[] = ['install-start', 'reinstall'];

export interface BffInstance {
  route: Route;
  port: number;
  simulatorPort: number;
  baseURL: string;
  simulatorURL: string;
  usersFile: string;
  keysFile: string;
  /** The BFF's stdout (its JSON log). */
  logFile: string;
  /** DATA_DIR: the audit log lives here. */
  dataDir: string;
  /** The copy of apps/web/dist this BFF serves. */
  webDistDir: string;
}

/** Where this run keeps its users files, OVH keys, captured API responses and server claims. */
export const RUN_DIR = once('E2E_RUN_DIR', () => mkdtempSync(path.join(os.tmpdir(), 'byoi-e2e-')));
export const RESPONSES_DIR = path.join(RUN_DIR, 'api-responses');
export const CLAIMS_DIR = path.join(RUN_DIR, 'server-claims');

export function bffInstance(route: Route): BffInstance {
  const key = route === 'install-start' ? 'INSTALL_START' : 'REINSTALL';
  const port = Number(once(`E2E_${key}_PORT`, () => String(freePort())));
  const simulatorPort = Number(once(`E2E_${key}_SIM_PORT`, () => String(freePort())));
  return {
    route,
    port,
    simulatorPort,
    baseURL: `http://127.0.0.1:${port}`,
    simulatorURL: `https://127.0.0.1:${simulatorPort}`,
    usersFile: path.join(RUN_DIR, `users-${route}.json`),
    keysFile: path.join(RUN_DIR, `ovh-keys-${route}.json`),
    logFile: path.join(RUN_DIR, `bff-${route}.log`),
    dataDir: path.join(RUN_DIR, `data-${route}`),
    webDistDir: path.join(RUN_DIR, `web-dist-${route}`),
  };
}

/**
 * Extra simulated servers, so parallel tests never share one (one install at a time per server):
 * the first 80 go one a test (`claim`), the rest to rollouts, which take several at once
 * (`rolloutServers`). With the simulator's 6 named servers the list is two pages of 50.
 */
export const SIMULATED_FLEET_SIZE = 94;
/** Install steps run this many times faster than OVH's (about a minute at speed 1). */
export const SIMULATOR_CLOCK_SPEED = 60;
/** The rollout driver's round and the install watch, short so a rollout's waves follow quickly. */
export const ROLLOUT_TICK_MS = 200;
export const INSTALL_WATCH_INTERVAL_MS = 500;
