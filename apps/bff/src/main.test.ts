/**
 * The start command with no users configured (what `bash scripts/start.sh` runs on a fresh clone):
 * a banner with the address the console really listens on, the simulator's admin API and a
 * one-time admin password, printed once outside the JSON log lines; a quiet terminal (request lines
 * at debug); SIGUSR2 for a new password; a bad variable stops the start with a list of what to fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './store/store.ts';
import { eventually } from './testing/harness.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcess[] = [];
// A console that does not stop on SIGTERM is killed, so no test leaves one running.
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const cut = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(cut);
    }),
  );
});

function start(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-main-'));
  const dataDir = path.join(dir, 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: path.dirname(MAIN),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: dataDir,
      WEB_DIST_DIR: path.join(dir, 'dist'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, out, exited, dataDir };
}

async function listening(out: { stdout: string }): Promise<{ url: string; users: string }> {
  const line = await eventually(async () => {
    const found = out.stdout.split('\n').find((l) => l.includes('BYOI Console listening'));
    return Promise.resolve(found);
  }, 30_000);
  return JSON.parse(line) as { url: string; users: string };
}

const signInAs = (url: string, password: string) =>
  fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

/** The simulator's admin API over its self-signed HTTPS. */
function simGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('main.ts', () => {
  it('shows the address it listens on and the simulator admin API, and keeps requests quiet', async () => {
    const { out } = start({});
    const { url } = await listening(out);
    const port = new URL(url).port;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(out.stdout).toContain(`   Open http://127.0.0.1:${port}\n`);
    expect(out.stdout).toContain('It listens on 127.0.0.1 only: open it from this machine');
    expect(out.stdout).not.toContain('localhost');
    const admin = /Simulator admin API: (https:\/\/127\.0\.0\.1:\d+\/_sim) /.exec(out.stdout)?.[1];
    expect(admin).toBeDefined();
    expect(await simGet(`${admin!}/calls`)).toBe(200);
    expect(out.stdout).toContain('Requests are logged at debug level: LOG_LEVEL=debug shows them.');

    for (let i = 0; i < 5; i += 1) await fetch(`${url}/api/servers`);
    await fetch(`${url}/api/meta`);
    await new Promise((r) => setTimeout(r, 200));
    const jsonLines = out.stdout.split('\n').filter((l) => l.startsWith('{'));
    // At the default level no request line reaches the terminal.
    expect(jsonLines.filter((l) => l.includes('"req"'))).toEqual([]);
  }, 40_000);

  it('at LOG_LEVEL=debug in pretty format, request lines read as sentences', async () => {
    const { out } = start({ LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' });
    const url = await eventually(
      async () => Promise.resolve(/Open (http:\/\/\S+)/.exec(out.stdout)?.[1]),
      30_000,
    );
    await eventually(async () =>
      Promise.resolve(out.stdout.includes('BYOI Console listening') ? true : undefined),
    );
    await fetch(`${url}/api/servers`);
    const line = await eventually(async () =>
      Promise.resolve(out.stdout.split('\n').find((l) => l.includes('GET /api/servers → 401'))),
    );
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\] DEBUG: GET \/api\/servers → 401 \(\d+ ms\)$/);
    expect(out.stdout.split('\n').some((l) => l.startsWith('{'))).toBe(false);
  }, 40_000);

  it('prints a new one-time password on SIGUSR2; the old one stops working', async () => {
    const { child, out } = start({});
    const { url } = await listening(out);
    const first = /Password: (\S+)/.exec(out.stdout)?.[1];
    expect(out.stdout).toContain(`For a new one without a restart: kill -USR2 ${child.pid}`);
    child.kill('SIGUSR2');
    const second = await eventually(async () =>
      Promise.resolve(/new one-time admin password[\s\S]*?Password: (\S+)/.exec(out.stdout)?.[1]),
    );
    expect(second).not.toBe(first);
    expect((await signInAs(url, first!)).status).toBe(401);
    expect((await signInAs(url, second)).status).toBe(200);
    const jsonLines = out.stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines.some((l) => l.includes('one-time admin password renewed'))).toBe(true);
    expect(jsonLines.some((l) => l.includes(second) || l.includes(first!))).toBe(false);
  }, 40_000);

  it('prints a one-time admin password once, outside the JSON log, and it signs in', async () => {
    const { out } = start({});
    const listening = await eventually(async () => {
      const line = out.stdout.split('\n').find((l) => l.includes('BYOI Console listening'));
      return Promise.resolve(line);
    }, 30_000);
    const { url, users } = JSON.parse(listening) as { url: string; users: string };
    expect(users).toBe('one-time-admin');
    const password = /Password: (\S+)/.exec(out.stdout)?.[1];
    expect(password).toBeDefined();
    expect(out.stdout).toContain('Username: admin');
    // Exactly once, and never inside a JSON log line.
    expect(out.stdout.split(password!).length - 1).toBe(1);
    const jsonLines = out.stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines.some((l) => l.includes(password!))).toBe(false);

    const signIn = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(signIn.status).toBe(200);
    expect(await signIn.json()).toEqual({
      user: { username: 'admin', role: 'operator', servers: ['*'] },
    });
    const wrong = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'not-it' }),
    });
    expect(wrong.status).toBe(401);
  }, 40_000);

  it('stops on SIGTERM with its background rounds running, and leaves its store whole', async () => {
    // Rounds every 20 ms: a rollout claim, an install-watch look and a webhook claim are always
    // in flight when the signal comes; the store closes only after them (PGlite hangs on a query
    // cut by its close).
    const { child, out, exited, dataDir } = start({
      ROLLOUT_TICK_MS: '20',
      INSTALL_WATCH_INTERVAL_MS: '20',
      WEBHOOK_POLL_MS: '20',
    });
    await listening(out);
    await new Promise((r) => setTimeout(r, 500));
    const asked = Date.now();
    child.kill('SIGTERM');
    const cut = setTimeout(() => child.kill('SIGKILL'), 20_000);
    expect(await exited).toBe(0);
    clearTimeout(cut);
    expect(Date.now() - asked).toBeLessThan(10_000);
    // The directory's lock was released and the database opens again.
    const store = await openStore({ dataDir });
    try {
      expect(store.kind).toBe('pglite');
    } finally {
      await store.close();
    }
  }, 60_000);

  it('stops with a list of what to fix', async () => {
    const { out, exited } = start({
      OVH_APPLICATION_KEY: 'ak',
      OVH_APPLICATION_SECRET: 'as-secret-value',
      OVH_CONSUMER_KEY: 'ck',
      CONSOLE_ADMIN_PASSWORD_HASH: 'plain',
    });
    expect(await exited).toBe(1);
    expect(out.stderr).toContain('BYOI Console cannot start. Fix these environment variables:');
    expect(out.stderr).toContain('SESSION_SECRET is required');
    expect(out.stderr).toContain('CONSOLE_ADMIN_PASSWORD_HASH is not a scrypt password hash');
    expect(out.stderr).not.toContain('as-secret-value');
  }, 30_000);
});
