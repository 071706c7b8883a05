/**
 * An audit entry the console acknowledged is on disk before its answer leaves: the real start
 * command (main.ts) gets a burst of audited requests (failed sign-ins, one entry each), then
 * SIGTERM — every answered request has its line — or kill -9 in the middle of a burst — every
 * answered request still has its line; only requests that got no answer may be missing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from './testing/harness.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

async function startConsole() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-durability-'));
  const auditFile = path.join(dir, 'audit.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: path.dirname(MAIN),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: path.join(dir, 'data'),
      WEB_DIST_DIR: path.join(dir, 'dist'),
      AUDIT_LOG_FILE: auditFile,
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = await eventually(
    () => Promise.resolve(stdout.split('\n').find((l) => l.includes('BYOI Console listening'))),
    30_000,
  );
  const { url } = JSON.parse(line) as { url: string };
  return { child, url, auditFile, exited };
}

/** The tried user names of the sign-in entries in the file. */
function signInNames(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  const names = new Set<string>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text) continue;
    try {
      const entry = JSON.parse(text) as { event?: string; user?: string };
      if (entry.event === 'sign-in' && entry.user) names.add(entry.user);
    } catch {
      // A torn last line after kill -9: not an acknowledged entry.
    }
  }
  return names;
}

/** A failed sign-in as `name`; resolves with the name once its answer arrived, else null. */
async function failedSignIn(url: string, name: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, password: 'not-the-password' }),
    });
    await res.arrayBuffer();
    return res.status === 401 || res.status === 429 ? name : null;
  } catch {
    return null;
  }
}

const BURST = 150;

describe('audit durability', () => {
  it('SIGTERM right after a burst: every acknowledged entry is in the file', async () => {
    const { child, url, auditFile, exited } = await startConsole();
    const names = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
    const answered = (await Promise.all(names.map((n) => failedSignIn(url, n)))).filter(
      (n): n is string => n !== null,
    );
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    expect(answered).toHaveLength(BURST);
    const written = signInNames(auditFile);
    expect(answered.filter((n) => !written.has(n))).toEqual([]);
  }, 60_000);

  it('SIGTERM in the middle of a burst: requests in flight still get answers and entries', async () => {
    const { child, url, auditFile, exited } = await startConsole();
    const names = Array.from({ length: BURST }, (_, i) => `midway-${i}`);
    const pending = names.map((n) => failedSignIn(url, n));
    setTimeout(() => child.kill('SIGTERM'), 5);
    const answered = (await Promise.all(pending)).filter((n): n is string => n !== null);
    expect((await exited).code).toBe(0);
    const written = signInNames(auditFile);
    expect(answered.filter((n) => !written.has(n))).toEqual([]);
  }, 60_000);

  it('kill -9 in the middle of a burst: every acknowledged entry is in the file', async () => {
    const { child, url, auditFile, exited } = await startConsole();
    const names = Array.from({ length: BURST }, (_, i) => `crash-${i}`);
    const answered: string[] = [];
    const pending = names.map(async (n) => {
      const done = await failedSignIn(url, n);
      if (done) answered.push(done);
      // Kill once a third have been answered, with the rest in flight.
      if (answered.length === Math.floor(BURST / 3)) child.kill('SIGKILL');
    });
    await Promise.all(pending);
    expect((await exited).signal).toBe('SIGKILL');
    expect(answered.length).toBeGreaterThanOrEqual(Math.floor(BURST / 3));
    const written = signInNames(auditFile);
    expect(answered.filter((n) => !written.has(n))).toEqual([]);
  }, 60_000);
});
