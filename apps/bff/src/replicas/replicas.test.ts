/**
 * Two replicas of the console, each its own `main.ts` process, on one PostgreSQL database and one
 * simulator (its CLI, in a process of its own, reached through SIMULATOR_URL): what one replica
 * learnt, the other knows. Sessions, sign-out, Idempotency-Keys, the per-server install lock, rate
 * limits, an install whose replica died and the keys after a restart of both. Installs are counted
 * where OVH would count them, at the simulator (`GET /_sim/requests`), never in the console.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, type InstallRequestRecord } from '@byoi/ovh-simulator';
import type {
  AuditListResponse,
  InstallHistoryResponse,
  InstallProgressDto,
  InstallResponse,
  ServerListResponse,
} from '@byoi/shared';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { OPERATOR, writeUsersFile, type TestUser } from '../testing/users.ts';
import { ConsoleClient, signedIn } from './consoleClient.ts';
import {
  allTails,
  startRefused,
  startReplica,
  startSimulatorProcess,
  stopAll,
  until,
  type Child,
  type Replica,
  type SimulatorProcess,
} from './processes.ts';

/** Signs out in one test: its sessions end everywhere, so no other test uses it. */
const LEAVER: TestUser = { username: 'lea', password: 'leaver-pass-1', role: 'operator' };
/** Fails sign-ins on purpose: locked out for the rest of the run. */
const GUESSER: TestUser = { username: 'gus', password: 'guesser-pass-1', role: 'operator' };
/** The documented default: failed sign-ins for one account within the window before it is locked. */
const SIGN_IN_FAILURES_PER_USER = 5;
/** The bootloader the kit's images hold (the default install route requires the path). */
const EFI = '\\efi\\debian\\grubx64.efi';

let dir: string;
let store: TestStore;
let sim: SimulatorProcess;
let kit: ImageKit;
let images: ImageServer;
let usersFile: string;
let a: Replica;
let b: Replica;
/** Every child this file started, for the failure report. */
const children: Child[] = [];
const SECRETS = {
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  SECRETS_KEY: randomBytes(32).toString('hex'),
};

/** One replica's environment: the shared database, simulator and secrets; its own DATA_DIR. */
function replicaEnv(name: string): NodeJS.ProcessEnv {
  return {
    ...sim.env,
    ...SECRETS,
    DATABASE_URL: store.url ?? '',
    DATABASE_POOL_SIZE: '4',
    CONSOLE_USERS_FILE: usersFile,
    DATA_DIR: mkdtempSync(path.join(dir, `data-${name}-`)),
    WEB_DIST_DIR: path.join(dir, 'no-web-build'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    INSTALL_WATCH_INTERVAL_MS: '200',
    SERVER_CACHE_TTL_MS: '1000',
  };
}

async function replica(name: string): Promise<Replica> {
  const started = await startReplica(name, replicaEnv(name));
  children.push(started);
  return started;
}

/** A new server in the simulator's fleet, a copy of the default one, so each test has its own. */
async function newServer(name: string): Promise<string> {
  await sim.admin('POST', '/_sim/servers', { name, like: DEFAULT_SERVER });
  return name;
}

/** The install requests OVH (the simulator) received for `sn`. */
async function installRequests(sn: string): Promise<InstallRequestRecord[]> {
  const { installs } = await sim.admin<{ installs: InstallRequestRecord[] }>(
    'GET',
    '/_sim/requests',
  );
  return installs.filter((request) => request.serviceName === sn);
}

const installForm = () => ({
  imageURL: `${images.url}/images/${kit.images.qcow2.file}`,
  imageType: 'qcow2',
  efiBootloaderPath: EFI,
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-replicas-'));
  const [opened, builtKit, started, written] = await Promise.all([
    testStore({ kind: 'postgres' }),
    ensureImages(),
    // Installs take ~70 ms at this speed; the kill test slows the clock down for its own.
    startSimulatorProcess({ dir, clockSpeed: 1000 }),
    writeUsersFile(dir, [OPERATOR, LEAVER, GUESSER]),
  ]);
  [store, kit, sim, usersFile] = [opened, builtKit, started, written];
  children.push(sim);
  images = await startImageServer({ dir: kit.dir });
  [a, b] = await Promise.all([replica('A'), replica('B')]);
}, 180_000);

afterAll(async () => {
  await stopAll();
  await images?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

beforeEach((context) => {
  context.onTestFailed(() => {
    console.error(`Output of the processes of this suite:\n${allTails(children)}`);
  });
});

describe('two replicas on one database and one simulator', { timeout: 60_000 }, () => {
  it('both list the fleet of the simulator they share (SIMULATOR_URL)', async () => {
    for (const replica of [a, b]) {
      const client = await signedIn(replica.url, OPERATOR);
      const res = await client.get<ServerListResponse>('/api/servers?page=1&pageSize=50');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.map((server) => server.name)).toContain(DEFAULT_SERVER);
    }
    const calls = await sim.admin<Record<string, number>>('GET', '/_sim/calls');
    expect(calls['GET /dedicated/server']).toBeGreaterThanOrEqual(2);
  });

  it('a session signed in on A works on B, CSRF token included', async () => {
    const onA = await signedIn(a.url, OPERATOR);
    const onB = onA.on(b.url);
    const who = await onB.get<{ user: { username: string } }>('/api/session');
    expect(who.status).toBe(200);
    expect(who.body.user.username).toBe(OPERATOR.username);
    // A state-changing request on B with the token A gave: refused only for the form, not CSRF.
    const post = await onB.post(`/api/servers/${DEFAULT_SERVER}/install`, {});
    expect(post.status, JSON.stringify(post.body)).toBe(400);
  });

  it('signing out on A ends the session on B too', async () => {
    const onA = await signedIn(a.url, LEAVER);
    const onB = onA.on(b.url);
    expect((await onB.get('/api/session')).status).toBe(200);
    expect((await onA.request('DELETE', '/api/session')).status).toBe(204);
    // At once, or within the moment a replica may keep what it read from the store.
    await until(
      'B to refuse the signed-out session',
      async () => {
        const res = await onB.get('/api/session');
        return { value: res.status === 401 || undefined, seen: res.status };
      },
      3_000,
    );
    // The account itself still signs in, on either replica.
    expect((await new ConsoleClient(b.url).signIn(LEAVER.username, LEAVER.password)).status).toBe(
      200,
    );
  });

  it('rate limits count across both: failed sign-ins on A and B lock the account on both', async () => {
    const wrong = { username: GUESSER.username, password: 'not-the-password' };
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_FAILURES_PER_USER; i++) {
      const replica = i % 2 === 0 ? a : b;
      statuses.push(
        (await new ConsoleClient(replica.url).signIn(wrong.username, wrong.password)).status,
      );
    }
    expect(statuses).toEqual(Array.from({ length: SIGN_IN_FAILURES_PER_USER }, () => 401));
    // Three failures on A and two on B: the account's sixth try is refused on both, right
    // password or not.
    for (const replica of [a, b]) {
      const res = await new ConsoleClient(replica.url).signIn(GUESSER.username, GUESSER.password);
      expect(res.status, `sign-in on ${replica.name}: ${JSON.stringify(res.body)}`).toBe(429);
      expect(res.headers.get('retry-after')).not.toBeNull();
    }
  });
});

/** The first answer of the Idempotency-Key test, replayed after the restart. */
let keyed: { sn: string; key: string; body: InstallResponse } | undefined;
/** The install whose replica was killed, replayed after the restart. */
let killed: { sn: string; key: string; body: InstallResponse } | undefined;

describe('installs through two replicas', { timeout: 60_000 }, () => {
  it('the same Idempotency-Key on A then B starts one install, and B answers the first result', async () => {
    const sn = await newServer('ns-replicas-key.example.eu');
    const key = randomUUID();
    const onA = await signedIn(a.url, OPERATOR);
    const first = await onA.post<InstallResponse>(`/api/servers/${sn}/install`, installForm(), {
      'Idempotency-Key': key,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await onA
      .on(b.url)
      .post<InstallResponse>(`/api/servers/${sn}/install`, installForm(), {
        'Idempotency-Key': key,
      });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await installRequests(sn)).toHaveLength(1);
    keyed = { sn, key, body: first.body };
  });

  it('the same server installed through A and B at once: one install, one 409', async () => {
    const sn = await newServer('ns-replicas-race.example.eu');
    const onA = await signedIn(a.url, OPERATOR);
    const onB = onA.on(b.url);
    const answers = await Promise.all(
      [onA, onB].map((client) => client.post(`/api/servers/${sn}/install`, installForm())),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses, JSON.stringify(answers.map((res) => res.body))).toEqual([202, 409]);
    const refused = answers.find((res) => res.status === 409)?.body as {
      error: { code: string };
    };
    expect(refused.error.code).toBe('INSTALL_IN_PROGRESS');
    expect(await installRequests(sn)).toHaveLength(1);
  });

  it('a kill -9 of A mid-install: B shows the progress to the end, the history, one outcome in the audit log', async () => {
    const sn = await newServer('ns-replicas-kill.example.eu');
    // ~7 s for the whole install at this speed: A dies well before it ends.
    await sim.admin('POST', '/_sim/clock', { clockSpeed: 10 });
    const key = randomUUID();
    const onA = await signedIn(a.url, OPERATOR);
    const submitted = await onA.post<InstallResponse>(`/api/servers/${sn}/install`, installForm(), {
      'Idempotency-Key': key,
    });
    a.kill('SIGKILL');
    await a.exited;
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    killed = { sn, key, body: submitted.body };
    const taskId = submitted.body.task.taskId;

    const onB = onA.on(b.url);
    const running = await onB.get<InstallProgressDto>(`/api/servers/${sn}/install`);
    expect(running.status).toBe(200);
    expect(running.body.state).toBe('running');
    expect(running.body.task?.taskId).toBe(taskId);
    // The rest of the install at full speed (the step under way ends at the slow pace).
    await sim.admin('POST', '/_sim/clock', { clockSpeed: 1000 });
    const done = await until('the install to end, as B shows it', async () => {
      const res = await onB.get<InstallProgressDto>(`/api/servers/${sn}/install`);
      return { value: res.body.state === 'running' ? undefined : res.body, seen: res.body };
    });
    expect(done.state).toBe('done');

    const history = await until('the install in B’s history, with its outcome', async () => {
      const res = await onB.get<InstallHistoryResponse>(`/api/servers/${sn}/installs`);
      const entry =
        res.status === 200 ? res.body.entries.find((e) => e.taskId === taskId) : undefined;
      return { value: entry?.outcome === 'done' ? entry : undefined, seen: res.body };
    });
    expect(history.server).toBe(sn);
    expect(history.user).toBe(OPERATOR.username);

    const outcomes = async () => {
      const res = await onB.get<AuditListResponse>(
        `/api/audit?server=${sn}&event=install&limit=100`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.entries;
    };
    await until('the outcome in the audit log', async () => {
      const entries = await outcomes();
      return { value: entries.some((e) => e.outcome === 'done') || undefined, seen: entries };
    });
    // More progress reads, and time for any watch still running: still one outcome.
    await onB.get(`/api/servers/${sn}/install`);
    await sleep(1_000);
    const entries = await outcomes();
    const submits = entries.filter((e) => e.outcome === 'submitted' && e.taskId === taskId);
    const ends = entries.filter((e) => ['done', 'failed', 'cancelled'].includes(e.outcome));
    expect(submits, JSON.stringify(entries)).toHaveLength(1);
    expect(
      ends.map((e) => e.outcome),
      JSON.stringify(entries),
    ).toEqual(['done']);
    expect(ends[0]?.relatesTo).toBe(submits[0]?.id);
    expect(await installRequests(sn)).toHaveLength(1);
  });

  it('after a restart of both, the Idempotency-Keys still answer their first result and start nothing', async () => {
    expect(keyed, 'needs the Idempotency-Key test').toBeDefined();
    expect(killed, 'needs the kill -9 test').toBeDefined();
    await b.stop();
    [a, b] = await Promise.all([replica('A2'), replica('B2')]);
    const onA = await signedIn(a.url, OPERATOR);
    for (const [client, first] of [
      [onA, keyed!],
      [onA.on(b.url), killed!],
    ] as const) {
      const replay = await client.post<InstallResponse>(
        `/api/servers/${first.sn}/install`,
        installForm(),
        { 'Idempotency-Key': first.key },
      );
      expect(replay.status, `${first.sn}: ${JSON.stringify(replay.body)}`).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await installRequests(first.sn)).toHaveLength(1);
    }
  });
});

describe('a replica pointed at the shared simulator', { timeout: 60_000 }, () => {
  it('refuses to start, saying which file to fix, when SIMULATOR_CA_FILE does not exist', async () => {
    const missing = path.join(dir, 'not-written', 'ca.pem');
    const result = await startRefused({ ...replicaEnv('no-ca'), SIMULATOR_CA_FILE: missing });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`SIMULATOR_CA_FILE ${missing} cannot be read (ENOENT)`);
    // A sentence for the operator, not a stack trace.
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
