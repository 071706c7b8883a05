/**
 * An audit entry the console acknowledged is committed to the store before its answer leaves, on
 * both engines: the real start command (main.ts) gets a burst of audited requests (failed
 * sign-ins, one entry each), then SIGTERM — every answered request has its row — or kill -9 in the
 * middle of a burst — every answered request still has its row; only requests that got no answer
 * may be missing. And a console that ran before the store brings its audit file in, once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './testing/harness.ts';
import { testStore, type TestStore } from './testing/testStore.ts';
import { openStore, type StoreKind } from './store/store.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Where a console keeps its state: a PostgreSQL database of its own, or a DATA_DIR for PGlite. */
interface Place {
  dataDir: string;
  store: TestStore | null;
}

async function newPlace(kind: StoreKind): Promise<Place> {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'byoi-durability-')), 'data');
  return { dataDir, store: kind === 'postgres' ? await testStore({ kind }) : null };
}

/** The consoles started by the running test: any still alive at its end (a failure) is killed. */
const children: ChildProcess[] = [];

async function startConsole(place: Place) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: path.dirname(MAIN),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: place.dataDir,
      WEB_DIST_DIR: path.join(place.dataDir, '..', 'dist'),
      LOG_FORMAT: 'json',
      ...(place.store ? { DATABASE_URL: place.store.url ?? '' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
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
  return { child, url, exited, stdout: () => stdout };
}

/** The audit entries in the place's store, in the order written (PGlite: once the console is gone). */
async function storedEntries(
  place: Place,
): Promise<{ id: string; event: string; user: string | null }[]> {
  const store = place.store ?? (await openStore({ dataDir: place.dataDir }));
  try {
    const rows = await store.db
      .selectFrom('audit_entries')
      .select(['id', 'event', 'username'])
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ id: r.id, event: r.event, user: r.username }));
  } finally {
    if (!place.store) await store.close();
  }
}

/** The tried user names of the sign-in entries in the store. */
async function signInNames(place: Place): Promise<Set<string>> {
  const entries = await storedEntries(place);
  return new Set(entries.filter((e) => e.event === 'sign-in' && e.user).map((e) => e.user ?? ''));
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

// Each case starts the real console (and hashes 150 wrong passwords): the crash runs on both
// engines, the graceful stops on PostgreSQL, the upgrade on the embedded store it comes from.
describe.each([
  { kind: 'postgres', cases: ['sigterm', 'kill'] },
  { kind: 'pglite', cases: ['kill', 'upgrade'] },
] as const)('audit durability on $kind', ({ kind, cases }) => {
  let place: Place;
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await place.store?.close();
  });
  const runs = (name: (typeof cases)[number]) => (cases as readonly string[]).includes(name);
  // Cases not run on this engine are not declared at all (rather than declared and skipped).
  const only =
    (name: (typeof cases)[number]) =>
    (title: string, test: () => Promise<void>, timeout: number): void => {
      if (runs(name)) it(title, test, timeout);
    };
  const sigterm = only('sigterm');
  const upgrade = only('upgrade');

  sigterm(
    'SIGTERM right after a burst: every acknowledged entry is stored',
    async () => {
      place = await newPlace(kind);
      const { child, url, exited } = await startConsole(place);
      const names = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
      const answered = (await Promise.all(names.map((n) => failedSignIn(url, n)))).filter(
        (n): n is string => n !== null,
      );
      child.kill('SIGTERM');
      expect((await exited).code).toBe(0);
      expect(answered).toHaveLength(BURST);
      const written = await signInNames(place);
      expect(answered.filter((n) => !written.has(n))).toEqual([]);
    },
    60_000,
  );

  sigterm(
    'SIGTERM in the middle of a burst: requests in flight still get answers and entries',
    async () => {
      place = await newPlace(kind);
      const { child, url, exited } = await startConsole(place);
      const names = Array.from({ length: BURST }, (_, i) => `midway-${i}`);
      const pending = names.map((n) => failedSignIn(url, n));
      setTimeout(() => child.kill('SIGTERM'), 5);
      const answered = (await Promise.all(pending)).filter((n): n is string => n !== null);
      expect((await exited).code).toBe(0);
      const written = await signInNames(place);
      expect(answered.filter((n) => !written.has(n))).toEqual([]);
    },
    60_000,
  );

  it('kill -9 in the middle of a burst: every acknowledged entry is stored', async () => {
    place = await newPlace(kind);
    const { child, url, exited } = await startConsole(place);
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
    const written = await signInNames(place);
    expect(answered.filter((n) => !written.has(n))).toEqual([]);
  }, 60_000);

  upgrade(
    'a console that ran before the store: its audit file is imported at start, once',
    async () => {
      place = await newPlace(kind);
      const legacy = path.join(place.dataDir, 'audit.log');
      const lines = [
        {
          id: 'old-1',
          time: '2026-11-20T09:00:00.000Z',
          event: 'sign-in',
          outcome: 'success',
          user: 'olivia',
        },
        { time: '2026-11-20T09:01:00.000Z', event: 'sign-out', outcome: 'success', user: 'olivia' },
      ].map((e) => `${JSON.stringify(e)}\n`);
      mkdirSync(place.dataDir, { recursive: true });
      writeFileSync(legacy, `${lines.join('')}{"id":"torn`, { mode: 0o600 });
      const legacyIds = ['old-1', `at-${Buffer.byteLength(lines[0] ?? '')}`];

      const first = await startConsole(place);
      expect(await failedSignIn(first.url, 'after-upgrade')).toBe('after-upgrade');
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
      expect(first.stdout()).toContain('audit log file imported into the store');
      expect(existsSync(legacy)).toBe(false);
      expect(existsSync(`${legacy}.imported`)).toBe(true);
      const once = await storedEntries(place);
      expect(once.map((e) => e.id).slice(0, 2)).toEqual(legacyIds);
      expect(once.map((e) => e.user)).toEqual(['olivia', 'olivia', 'after-upgrade']);

      // A restart adds nothing, and neither does the same file found again.
      writeFileSync(legacy, lines.join(''), { mode: 0o600 });
      const second = await startConsole(place);
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      expect((await storedEntries(place)).map((e) => e.id)).toEqual(once.map((e) => e.id));
    },
    90_000,
  );
});
