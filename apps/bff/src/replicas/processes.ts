/**
 * Test support for the console run as a deployment runs it: the simulator's CLI in a process of its
 * own, shared by every replica, and BFF replicas (`main.ts` as `pnpm start` runs it), each on its
 * own loopback port with its own DATA_DIR. Every child's output is kept, so a failing test can show
 * the end of each one's stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const BFF_DIR = path.join(REPO_ROOT, 'apps/bff');
const SIMULATOR_DIR = path.join(REPO_ROOT, 'packages/ovh-simulator');

/** The end of what a child wrote, for a failure message. */
const TAIL_LINES = 40;

export interface Child {
  name: string;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  running(): boolean;
  /** stdout and stderr as written so far. */
  stdout(): string;
  stderr(): string;
  /** The last lines of stderr (or of stdout when stderr is empty), labelled with the child's name. */
  tail(): string;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Every child started and not yet stopped, so `stopAll` leaves nothing behind. */
const live = new Set<Child>();

function track(name: string, child: ChildProcess): Child {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const handle: Child = {
    name,
    pid: child.pid ?? 0,
    exited,
    running,
    stdout: () => out,
    stderr: () => err,
    tail() {
      const text = err.trim() !== '' ? err : out;
      const lines = text.trimEnd().split('\n').slice(-TAIL_LINES);
      const state = running() ? 'running' : `exited (${child.exitCode ?? child.signalCode ?? '?'})`;
      return `--- ${name} (pid ${child.pid ?? '?'}, ${state}), last ${lines.length} lines ---\n${lines.join('\n')}`;
    },
    kill(signal) {
      if (running()) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  return handle;
}

/** Stops every child still running (SIGTERM, then SIGKILL). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(5_000)));
}

/** The end of every child's output, for a failing test. */
export function allTails(children: readonly Child[]): string {
  return children.map((child) => child.tail()).join('\n\n');
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

/**
 * Polls `check` every `everyMs` until it returns a value (not undefined), or fails saying what it
 * waited for and what it last saw.
 */
export async function until<T>(
  what: string,
  check: () => Promise<{ value?: T; seen?: unknown }>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen: unknown;
  for (;;) {
    const result = await check();
    if (result.value !== undefined) return result.value;
    seen = result.seen;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms; last seen ${JSON.stringify(seen)}`);
    }
    await sleep(everyMs);
  }
}

/** Polls `check` until it returns a value; throws `failure()` once `timeoutMs` passed. */
async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  failure: () => Error,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw failure();
    await sleep(100);
  }
}

/** KEY=value lines, values plain or in single quotes, as the simulator's CLI writes them. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    const raw = match[2] ?? '';
    env[match[1]] = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  }
  return env;
}

export interface SimulatorProcess extends Child {
  /** SIMULATOR_URL, SIMULATOR_CA_FILE and the three OVH_* keys, from the CLI's `--write-env` file. */
  env: Record<string, string>;
  /** `https://127.0.0.1:PORT`, where `/_sim/*` is. */
  origin: string;
  /** The admin API (`/_sim/...`), over HTTPS verified against the simulator's CA. */
  admin<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
}

/** Starts `packages/ovh-simulator/src/cli.ts` and waits for the env file it writes once listening. */
export async function startSimulatorProcess(options: {
  dir: string;
  clockSpeed: number;
  /** Generated servers besides the fixtures (`--server-count`). */
  serverCount?: number;
}): Promise<SimulatorProcess> {
  const envFile = path.join(options.dir, 'simulator.env');
  const caFile = path.join(options.dir, 'simulator-ca.pem');
  const child = track(
    'simulator',
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        '--port',
        '0',
        '--clock-speed',
        String(options.clockSpeed),
        '--ca-file',
        caFile,
        '--write-env',
        envFile,
        ...(options.serverCount !== undefined
          ? ['--server-count', String(options.serverCount)]
          : []),
      ],
      {
        cwd: SIMULATOR_DIR,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  const env = await waitFor(
    () => {
      if (existsSync(envFile) && child.stdout().includes('Press Ctrl-C')) {
        return Promise.resolve(parseEnvFile(readFileSync(envFile, 'utf8')));
      }
      if (!child.running()) {
        throw new Error(`The simulator's CLI stopped before it listened.\n${child.tail()}`);
      }
      return Promise.resolve(undefined);
    },
    30_000,
    () => new Error(`The simulator's CLI did not write ${envFile}.\n${child.tail()}`),
  );
  const url = env.SIMULATOR_URL;
  if (!url) throw new Error(`${envFile} holds no SIMULATOR_URL.\n${child.tail()}`);
  const { origin, hostname, port } = new URL(url);
  const ca = readFileSync(caFile, 'utf8');
  // An agent of its own: the global one may carry another simulator's trust (the console's
  // `trustCertificate` sets its secure context, which wins over a request's `ca`).
  const agent = new https.Agent({ ca });
  const admin = <T>(method: string, route: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: hostname,
          port: Number(port),
          path: route,
          method,
          agent,
          headers: payload ? { 'content-type': 'application/json' } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 400) {
              reject(new Error(`${method} ${route} answered ${res.statusCode}: ${text}`));
              return;
            }
            resolve((text === '' ? null : JSON.parse(text)) as T);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return Object.assign(child, { env, origin, admin });
}

export interface Replica extends Child {
  /** `http://127.0.0.1:PORT` */
  url: string;
}

/**
 * Starts `apps/bff/src/main.ts` on a free port with `env` (nothing else of this process's
 * environment but PATH and HOME) and waits until `GET /api/ready` answers 200.
 */
export async function startReplica(name: string, env: NodeJS.ProcessEnv): Promise<Replica> {
  const port = await freePort();
  const child = track(
    name,
    spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: BFF_DIR,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOST: '127.0.0.1',
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (!child.running()) {
          throw new Error(`Replica ${name} exited before it was ready.\n${child.tail()}`);
        }
        try {
          const res = await fetch(`${url}/api/ready`);
          return res.ok ? true : undefined;
        } catch {
          return undefined; // not listening yet
        }
      },
      60_000,
      () => new Error(`Replica ${name} was not ready at ${url} within 60 s.\n${child.tail()}`),
    );
  } catch (error) {
    await child.stop(2_000);
    throw error;
  }
  return Object.assign(child, { url });
}

/** Runs `main.ts` expecting it to refuse to start; resolves with its exit code and output. */
export async function startRefused(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = track(
    'refused start',
    spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: BFF_DIR,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, stderr: child.stderr(), stdout: child.stdout() };
}
