/**
 * The start command with no users configured (what `bash scripts/start.sh` runs on a fresh clone):
 * a one-time admin password is printed once, as a plain banner outside the JSON log lines, and it
 * signs in; a bad variable stops the start with a list of what to fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './testing/harness.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

function start(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-main-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: path.dirname(MAIN),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: path.join(dir, 'data'),
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
  return { child, out, exited };
}

describe('main.ts', () => {
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
