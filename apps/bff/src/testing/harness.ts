/**
 * Test support: the real app, the real node-ovh client and the real simulator started in-process,
 * with the log captured so tests can read what would have been written, a users file with an
 * operator, a viewer and a scoped operator, and an audit log in the app's store.
 * `h.signIn(user)` returns a supertest agent signed in through `POST /api/session` that sends the
 * same-origin `Origin` and the `X-CSRF-Token` header, as the SPA does.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { ApiErrorBody } from '@byoi/shared';
import { createApp } from '../app.ts';
import { AuditLog } from '../audit/auditLog.ts';
import { UserDirectory } from '../auth/users.ts';
import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { RateLimitSettings } from '../middleware/rateLimits.ts';
import { DEFAULT_RATE_LIMITS } from '../middleware/rateLimits.ts';
import { connectOvh, type RunningSimulator } from '../ovh/connect.ts';
import type { OvhApi } from '../ovh/api.ts';
import type { Store } from '../store/store.ts';
import { testStore } from './testStore.ts';
import {
  browserAgent,
  OPERATOR,
  signIn,
  TEST_SCRYPT,
  TEST_USERS,
  writeUsersFile,
  type TestAgent,
  type TestUser,
} from './users.ts';

export interface AppUnderTest {
  app: Express;
  config: Config;
  /** This app's store: its own fresh database, unless `AppOptions.store` shared one. */
  store: Store;
  audit: AuditLog;
  /** Every log line written so far (JSON). */
  logLines: string[];
  usersFile: string;
  /** A signed-in agent (default: the operator). */
  signIn(user?: TestUser): Promise<TestAgent>;
  /** An agent with the browser's same-origin headers and no session. */
  anonymous(): TestAgent;
}

export interface AppOptions {
  /** Environment on top of the harness's (e.g. `OVH_INSTALL_ROUTE`, `TRUST_PROXY`). */
  env?: NodeJS.ProcessEnv;
  users?: TestUser[];
  /** Reuse a users file (two "replicas" of one deployment). */
  usersFile?: string;
  rateLimits?: Partial<RateLimitSettings>;
  now?: () => number;
  /** Share another app's store (two replicas of one deployment); a fresh database otherwise. */
  store?: Store;
}

export interface Harness extends AppUnderTest {
  ovh: OvhApi;
  sim: RunningSimulator;
  /** Another app on the same OVH connection and simulator, e.g. with a test clock or another route. */
  buildApp(options?: AppOptions): Promise<AppUnderTest>;
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

/** The documented sign-in limits; installs and checks unthrottled unless a test asks for limits. */
const HARNESS_RATE_LIMITS: RateLimitSettings = {
  ...DEFAULT_RATE_LIMITS,
  installsPerMinute: 10_000,
  preflightsPerMinute: 10_000,
  anonymousPerMinute: 10_000,
};

const BASE_ENV: NodeJS.ProcessEnv = {
  SIMULATOR_CLOCK_SPEED: '1000',
  SERVER_CACHE_TTL_MS: '5000',
  OVH_TIMEOUT_MS: '3000',
};

function harnessConfig(env: NodeJS.ProcessEnv): Config {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-bff-test-'));
  return loadConfig({
    ...BASE_ENV,
    WEB_DIST_DIR: path.join(dir, 'dist'),
    DATA_DIR: path.join(dir, 'data'),
    ...env,
  });
}

const usersFileOfStore = new WeakMap<Store, string>();

/**
 * What the harness closes, in order: the apps' background work, then (after OVH's connection)
 * their stores, their databases dropped. A store closed under a query in flight would hang it.
 */
interface Closers {
  work: (() => Promise<void>)[];
  stores: (() => Promise<void>)[];
}

async function buildAppOn(
  ovh: OvhApi,
  baseEnv: NodeJS.ProcessEnv,
  options: AppOptions,
  shutdown: AbortSignal,
  closers: Closers,
): Promise<AppUnderTest> {
  const config = harnessConfig({ ...baseEnv, ...options.env });
  // A replica of another app (sharing its store) reads the same users file unless told otherwise:
  // a file written anew has new salts, which would read as every password changed.
  const sharedUsers =
    options.store && !options.users ? usersFileOfStore.get(options.store) : undefined;
  const usersFile =
    options.usersFile ??
    sharedUsers ??
    (await writeUsersFile(
      mkdtempSync(path.join(os.tmpdir(), 'byoi-users-')),
      options.users ?? TEST_USERS,
    ));
  const { directory } = await UserDirectory.load({ usersFile, scryptParams: TEST_SCRYPT });
  const { lines, logger } = captureLog();
  const store = options.store ?? (await testStore());
  if (!usersFileOfStore.has(store)) usersFileOfStore.set(store, usersFile);
  if (!options.store) closers.stores.push(() => store.close());
  const audit = new AuditLog(store, logger);
  // The open refusal counts are written when the harness closes.
  shutdown.addEventListener('abort', () => void audit.close(), { once: true });
  const app = createApp({
    config,
    ovh,
    logger,
    store,
    directory,
    audit,
    rateLimits: { ...HARNESS_RATE_LIMITS, ...options.rateLimits },
    ...(options.now ? { now: options.now } : {}),
    shutdown,
  });
  closers.work.push(() => app.stopWork());
  return {
    app,
    config,
    store,
    audit,
    logLines: lines,
    usersFile,
    signIn: (user = OPERATOR) => signIn(app, user),
    anonymous: () => browserAgent(app),
  };
}

export async function startHarness(
  env: NodeJS.ProcessEnv = {},
  options: Omit<AppOptions, 'env'> = {},
): Promise<Harness> {
  const connectionConfig = harnessConfig(env);
  const connection = await connectOvh(connectionConfig, {
    retry: { maxRetries: 2, baseDelayMs: 20 },
  });
  const sim = connection.simulator;
  if (!sim) throw new Error('the harness runs in simulator mode: do not pass OVH credentials');
  // Stops the apps' background work (install watches, refusal counts) when the harness closes.
  const shutdown = new AbortController();
  // Each app listens for it (its watch, its audit log): a test may build a dozen apps.
  setMaxListeners(100, shutdown.signal);
  const closers: Closers = { work: [], stores: [] };
  const main = await buildAppOn(connection.api, env, options, shutdown.signal, closers);
  return {
    ...main,
    ovh: connection.api,
    sim,
    buildApp: (more = {}) => buildAppOn(connection.api, env, more, shutdown.signal, closers),
    close: async () => {
      shutdown.abort();
      await Promise.all(closers.work.splice(0).map((stop) => stop()));
      await connection.close();
      await Promise.all(closers.stores.splice(0).map((close) => close()));
    },
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

/** The field paths an error answer names (`details.fieldErrors`' keys). */
export function fieldsInError(body: unknown): string[] {
  return Object.keys((body as ApiErrorBody).error.details?.fieldErrors ?? {});
}
