/**
 * `Idempotency-Key` kept in the store: replicas of one store share the keys, a restart forgets
 * none, concurrent replays on two replicas start one install, a replay waits for a first request
 * another replica runs and answers 409 when that replica died, a 429 leaves the key free, and keys
 * older than 24 hours are forgotten.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type { InstallResponse } from '@byoi/shared';
import { DEFAULT_RATE_LIMITS } from './rateLimits.ts';
import { idempotencyId } from './idempotency.ts';
import { startHarness, type AppUnderTest, type Harness } from '../testing/harness.ts';
import { OPERATOR, type TestAgent } from '../testing/users.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.admin.reset();
  // Installs stay running for the whole test, so a second real install would be refused (409).
  h.sim.admin.setClockSpeed(1);
});

const form = {
  imageURL: 'https://images.example.com/debian.qcow2',
  imageType: 'qcow2',
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
};
const installPath = `/api/servers/${DEFAULT_SERVER}/install`;
const reinstalls = () => h.sim.admin.calls()[`POST /dedicated/server/${DEFAULT_SERVER}/reinstall`];

const install = (agent: TestAgent, key: string, body: object = form) =>
  agent.post(installPath).set('Idempotency-Key', key).send(body);

/** Two replicas of one deployment: one store, one users file. */
async function twoReplicas(): Promise<[AppUnderTest, AppUnderTest]> {
  const a = await h.buildApp();
  const b = await h.buildApp({ store: a.store, usersFile: a.usersFile });
  return [a, b];
}

const rowOf = (app: AppUnderTest, key: string) =>
  app.store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('id', '=', idempotencyId(OPERATOR.username, DEFAULT_SERVER, key))
    .executeTakeFirst();

/** Turns a stored key back into one whose first request is still running on `owner`. */
async function pendingOn(app: AppUnderTest, key: string, owner: string, leaseMs: number) {
  await app.store.db
    .updateTable('idempotency_keys')
    .set({ owner, status: null, body: null, lease_until: new Date(Date.now() + leaseMs) })
    .where('id', '=', idempotencyId(OPERATOR.username, DEFAULT_SERVER, key))
    .execute();
}

describe('Idempotency-Key across replicas and restarts', () => {
  it('a key sent to replica A and then to replica B starts one install', async () => {
    const [a, b] = await twoReplicas();
    const key = 'a-then-b-0001';
    const first = await install(await a.signIn(OPERATOR), key);
    expect(first.status).toBe(202);
    const onB = await b.signIn(OPERATOR);
    const replay = await install(onB, key);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((replay.body as InstallResponse).task.taskId).toBe(
      (first.body as InstallResponse).task.taskId,
    );
    expect(reinstalls()).toBe(1);
    // The same key with another body is refused on B too.
    const other = await install(onB, key, { ...form, imageType: 'raw' });
    expect(other.status).toBe(422);
    expect(reinstalls()).toBe(1);
  });

  it('a key is remembered by a new process on the same store (a restart)', async () => {
    const before = await h.buildApp();
    const key = 'before-restart-0001';
    const first = await install(await before.signIn(OPERATOR), key);
    expect(first.status).toBe(202);
    const restarted = await h.buildApp({ store: before.store, usersFile: before.usersFile });
    const replay = await install(await restarted.signIn(OPERATOR), key);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(reinstalls()).toBe(1);
  });

  it('concurrent replays on replicas A and B start one install and all get its answer', async () => {
    const [a, b] = await twoReplicas();
    const [onA, onB] = [await a.signIn(OPERATOR), await b.signIn(OPERATOR)];
    // OVH takes its time, so every replay arrives while the first request still runs.
    h.sim.admin.injectFault({
      method: 'POST',
      path: '/dedicated/server/*/reinstall',
      latencyMs: 400,
      times: 1,
    });
    const key = 'concurrent-0001';
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => install(i % 2 === 0 ? onA : onB, key)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(16).fill(202));
    expect(new Set(answers.map((r) => (r.body as InstallResponse).task.taskId)).size).toBe(1);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(15);
    expect(reinstalls()).toBe(1);
  });
});

describe('a first request another replica runs', () => {
  it('is waited for, and its answer is the replay', async () => {
    const [a, b] = await twoReplicas();
    const key = 'waited-for-0001';
    // An invalid form: answered (400) without OVH, then made to look still running elsewhere.
    expect((await install(await a.signIn(OPERATOR), key, { n: 1 })).status).toBe(400);
    await pendingOn(a, key, 'another-replica/1', 30_000);
    const started = Date.now();
    const replay = install(await b.signIn(OPERATOR), key, { n: 1 }).then((r) => r);
    setTimeout(() => {
      void a.store.db
        .updateTable('idempotency_keys')
        .set({ status: 202, body: JSON.stringify({ answer: 'from the other replica' }) })
        .where('id', '=', idempotencyId(OPERATOR.username, DEFAULT_SERVER, key))
        .execute();
    }, 300);
    const res = await replay;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.status).toBe(202);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.body).toEqual({ answer: 'from the other replica' });
  });

  it('that died without an answer makes replays answer 409 once its lease is over', async () => {
    const [a, b] = await twoReplicas();
    const key = 'died-0001';
    expect((await install(await a.signIn(OPERATOR), key, { n: 1 })).status).toBe(400);
    await pendingOn(a, key, 'a-replica-that-died/1', 400);
    const onB = await b.signIn(OPERATOR);
    const started = Date.now();
    const res = await install(onB, key, { n: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'INSTALL_IN_PROGRESS',
      message:
        'The first request with this Idempotency-Key ended without an answer. Check the server page before trying again.',
    });
    // Later replays are told the same at once, and nothing reached OVH.
    expect((await install(onB, key, { n: 1 })).status).toBe(409);
    expect(reinstalls()).toBeUndefined();
  });
});

describe('a client that leaves before the answer', () => {
  it('keeps the key: its retry waits for the first answer instead of installing again', async () => {
    const app = await h.buildApp();
    const agent = await app.signIn(OPERATOR);
    h.sim.admin.injectFault({
      method: 'POST',
      path: '/dedicated/server/*/reinstall',
      latencyMs: 500,
      times: 1,
    });
    const key = 'impatient-0001';
    await expect(install(agent, key).timeout(100)).rejects.toThrow(/timeout/i);
    const retry = await install(agent, key);
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(reinstalls()).toBe(1);
  });
});

describe('keys that leave the store', () => {
  it('a 429 leaves the key free: the retry runs for real', async () => {
    const app = await h.buildApp({ rateLimits: { ...DEFAULT_RATE_LIMITS, installsPerMinute: 1 } });
    const agent = await app.signIn(OPERATOR);
    expect((await install(agent, 'spends-the-limit', { n: 1 })).status).toBe(400);
    const limited = await install(agent, 'limited-0001', { n: 2 });
    expect(limited.status).toBe(429);
    const retry = await install(agent, 'limited-0001', { n: 2 });
    expect(retry.status).toBe(429);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keys older than 24 hours are forgotten and swept', async () => {
    let t = Date.now();
    const app = await h.buildApp({ now: () => t });
    const key = 'a-day-old-0001';
    expect((await install(await app.signIn(OPERATOR), key, { n: 1 })).status).toBe(400);
    expect(await rowOf(app, key)).toBeDefined();
    t += 25 * 3_600_000;
    // A day later (and a new session), the key is new again: another body is no 422.
    const agent = await app.signIn(OPERATOR);
    const again = await install(agent, key, { n: 2 });
    expect(again.status).toBe(400);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    t += 25 * 3_600_000;
    expect((await install(await app.signIn(OPERATOR), 'another-key', { n: 3 })).status).toBe(400);
    await expect.poll(() => rowOf(app, key)).toBeUndefined();
  });
});
