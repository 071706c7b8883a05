/**
 * The BFF as an operator runs it (`apps/bff/src/main.ts`, its embedded simulator, the real node-ovh
 * client), in its own process on a loopback port so that the load generator does not share its
 * event loop. A users file with one operator (and any other users asked for) is generated for it,
 * and the bench signs in through `POST /api/session` like the web app does. Its store is PGlite in
 * its DATA_DIR, unless `env` gives it a DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../../apps/bff/src/auth/password.ts';
import { BENCH_DIR, BFF_DIR } from './paths.ts';

const MEMORY_PROBE = path.join(BENCH_DIR, 'src/memoryProbe.ts');

export interface BffOptions {
  /** Generated servers beside the default fixtures (0: the fixtures only). */
  serverCount: number;
  latencyMs: number;
  concurrency: number;
  cacheTtlMs: number;
  /** More users beside the operator `bench`, all with its password (e.g. to spread rate limits). */
  users?: { username: string; role: 'operator' | 'viewer' }[];
  /** More environment, e.g. DATABASE_URL. */
  env?: Record<string, string>;
  /** Loads memoryProbe.ts into the BFF (with `--expose-gc` and an IPC channel) for `memory()`. */
  memoryProbe?: boolean;
}

export interface Session {
  /** `Cookie` header value carrying the session and CSRF cookies. */
  cookie: string;
  csrf: string;
  /** The cookies as set, for a browser context. */
  cookies: { name: string; value: string }[];
}

export interface RunningBff {
  url: string;
  session: Session;
  pid: number;
  /** The embedded simulator's call counts (`GET /_sim/calls`), by `METHOD /path`. */
  simulatorCalls(): Promise<Record<string, number>>;
  /** The embedded simulator's admin API (`/_sim/...`). */
  simulatorAdmin(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Signs in one of `BffOptions.users`. */
  signInAs(username: string): Promise<Session>;
  /** The BFF's `process.memoryUsage()` after a full GC; only with `BffOptions.memoryProbe`. */
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

/**
 * The simulator's admin API is loopback-only and its certificate is made at each start, so this
 * read of its counters does not verify it (it carries no secret either way).
 */
function admin(port: number, method: string, path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) {
            reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Asks memoryProbe.ts in the child for its memory after GC. */
function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  if (!child.connected) {
    return Promise.reject(new Error('The BFF was started without memoryProbe: no memory to read.'));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The BFF did not report its memory.')), 10_000);
    child.once('message', (usage) => {
      clearTimeout(timer);
      resolve(usage as NodeJS.MemoryUsage);
    });
    child.send('memory');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/api/ready`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  const log = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`The BFF did not become ready at ${url}. Its last output:\n${log}`);
}

function cookiePairs(setCookies: string[]): { name: string; value: string }[] {
  return setCookies.map((line) => {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

async function signIn(url: string, username: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) {
    throw new Error(
      `Sign-in through POST /api/session answered ${res.status}: ${await res.text()}`,
    );
  }
  const cookies = cookiePairs(res.headers.getSetCookie());
  const csrf = cookies.find((c) => c.name === 'byoi_csrf')?.value;
  if (!csrf || !cookies.some((c) => c.name === 'byoi_session')) {
    throw new Error('Sign-in answered 200 without the byoi_session and byoi_csrf cookies.');
  }
  return {
    cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
    csrf: decodeURIComponent(csrf),
    cookies,
  };
}

export async function startBff(options: BffOptions): Promise<RunningBff> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byoi-bench-'));
  const username = 'bench';
  const password = randomBytes(18).toString('base64url');
  const usersFile = path.join(dir, 'users.json');
  // One hash for every user: they share the password, and scrypt is slow on purpose.
  const passwordHash = await hashPassword(password);
  await writeFile(
    usersFile,
    JSON.stringify({
      users: [{ username, role: 'operator' }, ...(options.users ?? [])].map((user) => ({
        ...user,
        passwordHash,
        servers: ['*'],
      })),
    }),
  );
  const port = await freePort();
  const simulatorPort = await freePort();
  const logFile = process.env.BENCH_BFF_LOG ?? path.join(dir, 'bff.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      // Diagnostics: BENCH_PROF=1 writes CPU profiles to /tmp/cpuprof; BENCH_BFF_ARGS adds Node
      // flags (e.g. "--trace-gc"); BENCH_BFF_LOG keeps the BFF's output in that file.
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/cpuprof'] : []),
      ...(process.env.BENCH_BFF_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(options.memoryProbe ? ['--expose-gc'] : []),
      '--import',
      'tsx',
      ...(options.memoryProbe ? ['--import', MEMORY_PROBE] : []),
      'src/main.ts',
    ],
    {
      cwd: BFF_DIR,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        SIMULATOR_PORT: String(simulatorPort),
        ...(options.serverCount > 0 ? { SIMULATOR_SERVER_COUNT: String(options.serverCount) } : {}),
        SIMULATOR_LATENCY_MS: String(options.latencyMs),
        OVH_CONCURRENCY: String(options.concurrency),
        SERVER_CACHE_TTL_MS: String(options.cacheTtlMs),
        CONSOLE_USERS_FILE: usersFile,
        DATA_DIR: dir,
        ...options.env,
      },
      stdio: options.memoryProbe ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
    },
  );
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, logFile);
    const session = await signIn(url, username, password);
    const simulatorCalls = async () =>
      (await admin(simulatorPort, 'GET', '/_sim/calls')) as Record<string, number>;
    return {
      url,
      session,
      pid: child.pid ?? 0,
      simulatorCalls,
      simulatorAdmin: (method, route, body) => admin(simulatorPort, method, route, body),
      signInAs: (name) => signIn(url, name, password),
      memory: () => memoryOf(child),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
