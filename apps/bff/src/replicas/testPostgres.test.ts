/**
 * scripts/test-postgres.sh, which gives this suite and the store's tests their PostgreSQL:
 * TEST_DATABASE_URL when set, else what answers on 5432 (TEST_PG_PORT_PROBE moves the probe),
 * else a throwaway cluster it starts and removes. The throwaway path is run for real, on a port
 * where nothing answers, next to the PostgreSQL the other tests use, which it must leave alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testServerUrl } from '../testing/testStore.ts';
import { freePort } from './processes.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCRIPT = path.join(REPO_ROOT, 'scripts/test-postgres.sh');
const BFF_DIR = path.join(REPO_ROOT, 'apps/bff');

function run(
  env: NodeJS.ProcessEnv,
  command: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...command], {
      cwd: BFF_DIR,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The server binaries the throwaway path needs (it installs Debian's package only from test.sh). */
function hasPostgresBinaries(): boolean {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').some((v) =>
        existsSync(`/usr/lib/postgresql/${v}/bin/initdb`),
      )
    : false;
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .some((dir) => existsSync(path.join(dir, 'initdb')));
  // As root the cluster belongs to the `postgres` user, which Debian's package creates.
  const owner =
    os.userInfo().uid !== 0 ||
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((line) => line.startsWith('postgres:'));
  return (debian || onPath) && owner;
}

async function startedAt(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ t: string }>('select pg_postmaster_start_time()::text as t');
    return res.rows[0]?.t ?? '';
  } finally {
    await client.end();
  }
}

const PRINT_URL = ['bash', '-c', 'echo "url=$TEST_DATABASE_URL"'];

describe('scripts/test-postgres.sh', { timeout: 90_000 }, () => {
  it('uses TEST_DATABASE_URL when it is set', async () => {
    const given = 'postgres://tester@db.example.invalid:6543/ci';
    const result = await run({ TEST_DATABASE_URL: given }, PRINT_URL);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Tests use the PostgreSQL of TEST_DATABASE_URL\nurl=${given}\n`);
  });

  it('uses the PostgreSQL answering on the probed port (5432 unless TEST_PG_PORT_PROBE says)', async () => {
    const listener = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    try {
      const result = await run({ TEST_PG_PORT_PROBE: String(port) }, PRINT_URL);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        `Tests use the PostgreSQL answering on 127.0.0.1:${port}\nurl=postgres://postgres@127.0.0.1:${port}/postgres\n`,
      );
    } finally {
      listener.close();
    }
  });

  it.skipIf(!hasPostgresBinaries())(
    'starts a throwaway cluster when nothing answers, removes it on exit, and leaves the running one alone',
    async () => {
      const shared = await testServerUrl();
      const before = shared === null ? null : await startedAt(shared);
      const probe = await freePort();
      const query = [
        process.execPath,
        '-e',
        `const pg = require('pg');
         const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
         c.connect()
           .then(() => c.query("select current_setting('data_directory') as dir, current_setting('listen_addresses') as listen, current_setting('fsync') as fsync"))
           .then((r) => { console.log('row=' + JSON.stringify(r.rows[0])); return c.end(); })
           .catch((e) => { console.error(e); process.exit(1); });`,
      ];
      const result = await run({ TEST_PG_PORT_PROBE: String(probe) }, query);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const said =
        /^Tests use a throwaway PostgreSQL \([\d.]+\) on 127\.0\.0\.1:(\d+), in (\S+), removed on exit$/m.exec(
          result.stdout,
        );
      expect(said, result.stdout).not.toBeNull();
      const [, port, clusterDir] = said ?? [];
      const row = JSON.parse(/^row=(.*)$/m.exec(result.stdout)?.[1] ?? '{}') as Record<
        string,
        string
      >;
      expect(row).toEqual({ dir: `${clusterDir}/data`, listen: '127.0.0.1', fsync: 'off' });
      expect(Number(port)).not.toBe(5432);
      // Gone with the script: no directory, nothing listening.
      expect(existsSync(clusterDir ?? '')).toBe(false);
      expect(await answers(Number(port))).toBe(false);
      if (shared !== null) expect(await startedAt(shared)).toBe(before);
    },
  );
});
