/**
 * The audit log of the real app: one entry per sign-in, sign-out, preflight, install, cancel and
 * refusal, as a row of the store's audit table and a JSON line through the logger, with header
 * values and user data only as SHA-256; each install's outcome as its own entry linked to its
 * submit; anonymous refusals counted per address and minute; replicas sharing one log; and
 * `GET /api/audit` for operators, newest first, filtered and paged.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER, LEGACY_SERVER, SMALL_DISK_SERVER } from '@byoi/ovh-simulator';
import type {
  ApiErrorBody,
  AuditEntryDto,
  AuditListResponse,
  InstallProgressDto,
  InstallResponse,
} from '@byoi/shared';
import { eventually, startHarness, type AppUnderTest, type Harness } from '../testing/harness.ts';
import { OPERATOR, SCOPED_OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;

beforeAll(async () => {
  [h, kit] = await Promise.all([startHarness(), ensureImages()]);
  images = await startImageServer({ dir: kit.dir });
}, 300_000);
afterAll(async () => {
  await images.close();
  await h.close();
});
beforeEach(() => {
  h.sim.admin.reset();
  h.sim.admin.setClockSpeed(1);
  images.reset();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const EFI = '\\efi\\debian\\grubx64.efi';

/** The entries in the app's store, in the order written. */
async function storedEntries(app: AppUnderTest): Promise<AuditEntryDto[]> {
  await app.audit.flush();
  const rows = await app.store.db
    .selectFrom('audit_entries')
    .select('entry')
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.entry as unknown as AuditEntryDto);
}

/** A few seconds away from a minute boundary, so requests made now share one clock minute. */
async function midMinute(): Promise<void> {
  const second = (Date.now() % 60_000) / 1000;
  if (second > 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

function passingImage() {
  return {
    imageURL: `${images.url}/images/${kit.images['raw-gpt'].file}`,
    imageType: 'raw',
    efiBootloaderPath: EFI,
  };
}

/** The simulator's download fails on a 404: OVH's message names the error. */
function missingImage() {
  return { imageURL: `${images.url}/status/404`, imageType: 'raw', efiBootloaderPath: EFI };
}

async function submit(agent: TestAgent, form: object, sn = DEFAULT_SERVER): Promise<number> {
  const res = await agent.post(`/api/servers/${sn}/install`).send(form);
  expect(res.status).toBe(202);
  return (res.body as InstallResponse).task.taskId;
}

async function progressUntilEnd(agent: TestAgent, sn = DEFAULT_SERVER) {
  return eventually(async () => {
    const body = (await agent.get(`/api/servers/${sn}/install`)).body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
}

const outcomesOf = (entries: AuditEntryDto[]) =>
  entries.filter((e) => e.event === 'install' && e.relatesTo !== undefined);

describe('audit entries', () => {
  it('records sign-in (success and failure), install submitted with digests, its cancel and sign-out', async () => {
    const app = await h.buildApp();
    await app
      .anonymous()
      .post('/api/session')
      .send({ username: OPERATOR.username, password: 'wrong' });
    const operator = await app.signIn(OPERATOR);
    const headerValue = 'Bearer image-download-token-123';
    const userData = '#cloud-config\nhostname: audited\n';
    const install = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send({
      imageURL: `${images.url}/slow/images/${kit.images['raw-gpt'].file}?X-Amz-Signature=abcdef&expires=99`,
      imageType: 'raw',
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', value: headerValue }],
      configDriveUserData: userData,
      efiBootloaderPath: EFI,
    });
    expect(install.status).toBe(202);
    const taskId = (install.body as InstallResponse).task.taskId;
    expect(
      (await operator.post(`/api/servers/${DEFAULT_SERVER}/install/cancel`).send({})).status,
    ).toBe(200);
    const preflight = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
      imageURL: 'not a url',
      imageType: 'raw',
      httpHeaders: [{ name: 'Authorization', value: headerValue }],
    });
    expect(preflight.status).toBe(400);
    expect((await operator.delete('/api/session')).status).toBe(204);

    const entries = await storedEntries(app);
    expect(entries.map((e) => `${e.event}:${e.outcome}`)).toEqual([
      'sign-in:failure',
      'sign-in:success',
      'install:submitted',
      'install:cancelled',
      'cancel:success',
      'preflight:failure',
      'sign-out:success',
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries[5]).toMatchObject({
      server: DEFAULT_SERVER,
      imageURL: `(not a URL, sha256 ${sha256('not a url')})`,
      httpHeaders: [{ name: 'Authorization', valueSha256: sha256(headerValue) }],
    });
    const [failed, signedIn, installed, cancelledInstall, cancelled] = entries;
    expect(failed).toMatchObject({
      user: OPERATOR.username,
      role: null,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(signedIn).toMatchObject({ user: OPERATOR.username, role: 'operator', status: 200 });
    expect(installed).toMatchObject({
      user: OPERATOR.username,
      role: 'operator',
      server: DEFAULT_SERVER,
      method: 'POST',
      route: `/api/servers/${DEFAULT_SERVER}/install`,
      status: 202,
      taskId,
      imageURL: `${images.url}/slow/images/${kit.images['raw-gpt'].file}?X-Amz-Signature=&expires=`,
      imageType: 'raw',
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', valueSha256: sha256(headerValue) }],
      configDriveUserDataSha256: sha256(userData),
    });
    expect(installed).not.toHaveProperty('acknowledged');
    expect(cancelledInstall).toMatchObject({
      event: 'install',
      outcome: 'cancelled',
      relatesTo: installed?.id,
      taskId,
      server: DEFAULT_SERVER,
      user: OPERATOR.username,
      learnedFrom: 'progress',
    });
    expect(cancelledInstall).not.toHaveProperty('route');
    expect(typeof installed?.ip).toBe('string');
    expect(Date.parse(installed?.time ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(cancelled).toMatchObject({ server: DEFAULT_SERVER, status: 200 });

    const raw = JSON.stringify(
      await app.store.db.selectFrom('audit_entries').selectAll().execute(),
    );
    expect(raw).toContain(sha256(headerValue));
    for (const secret of [
      headerValue,
      'image-download-token',
      'hostname: audited',
      'abcdef',
      OPERATOR.password,
    ])
      expect(raw).not.toContain(secret);
    // The same entries went through the logger.
    const logged = app.logLines.filter((l) => l.includes('"audit"')).join('\n');
    expect(logged).toContain(sha256(headerValue));
    expect(logged).not.toContain(headerValue);
    // No file: the store holds the log.
    expect(existsSync(app.config.auditLogFile)).toBe(false);
  });

  it('records refusals: wrong role, CSRF, hidden server, rate limit, and anonymous ones counted', async () => {
    await midMinute();
    const app = await h.buildApp({ rateLimits: { installsPerMinute: 1 } });
    await app.anonymous().get('/api/servers');
    const viewer = await app.signIn(VIEWER);
    await viewer.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});
    const scoped = await app.signIn(SCOPED_OPERATOR);
    await scoped.get(`/api/servers/${LEGACY_SERVER}`);
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).unset('X-CSRF-Token').send({});
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});
    // The anonymous refusal's count is written when its minute is over, or at close.
    expect((await storedEntries(app)).some((e) => e.user === null)).toBe(false);
    await app.audit.close();

    const entries = await storedEntries(app);
    const summary = entries
      .filter((e) => e.event !== 'sign-in')
      .map((e) => [e.event, e.outcome, e.status ?? null, e.user, e.code ?? null, e.count ?? 1]);
    expect(summary).toEqual([
      ['install', 'refused', 403, VIEWER.username, 'FORBIDDEN', 1],
      ['refusal', 'refused', 404, SCOPED_OPERATOR.username, 'NOT_FOUND', 1],
      ['install', 'refused', 403, SCOPED_OPERATOR.username, 'CSRF_FAILED', 1],
      ['install', 'failure', 400, SCOPED_OPERATOR.username, 'VALIDATION_FAILED', 1],
      ['install', 'refused', 429, SCOPED_OPERATOR.username, 'RATE_LIMITED', 1],
      ['refusal', 'refused', null, null, 'UNAUTHENTICATED', 1],
    ]);
    expect(entries.at(-1)?.samples).toEqual(['GET /api/servers → 401']);
    // midMinute() may wait up to 11 s for a fresh minute.
  }, 30_000);

  it('counts 50 anonymous refusals from one address in one minute as one entry', async () => {
    await midMinute();
    const app = await h.buildApp();
    const anonymous = app.anonymous();
    for (let i = 0; i < 50; i += 1) {
      const path = ['/api/servers', '/api/audit', `/api/servers/${DEFAULT_SERVER}/install`][i % 3];
      expect((await anonymous.get(path ?? '/api/servers')).status).toBe(401);
    }
    // A failed sign-in is not folded in: it names the user tried, and each one matters.
    await anonymous.post('/api/session').send({ username: 'mallory', password: 'guess' });
    await app.audit.close();
    const entries = await storedEntries(app);
    expect(entries.map((e) => [e.event, e.user, e.count ?? 1])).toEqual([
      ['sign-in', 'mallory', 1],
      ['refusal', null, 50],
    ]);
    const counted = entries[1];
    expect(counted).toMatchObject({ outcome: 'refused', code: 'UNAUTHENTICATED' });
    expect(typeof counted?.ip).toBe('string');
    expect(counted?.samples).toEqual([
      'GET /api/servers → 401',
      'GET /api/audit → 401',
      `GET /api/servers/${DEFAULT_SERVER}/install → 401`,
    ]);
    expect(Date.parse(counted?.firstTime ?? '')).toBeLessThanOrEqual(
      Date.parse(counted?.time ?? ''),
    );
    // The application log got one line for them too, not fifty.
    expect(
      app.logLines.filter((l) => l.includes('"audit"') && l.includes('"count":50')),
    ).toHaveLength(1);
    // midMinute() may wait up to 11 s for a fresh minute.
  }, 30_000);

  it('records a preflight whose verdict is fail as a failure, with the failing checks', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
      imageURL: `${images.url}/status/404?token=s3cret`,
      imageType: 'raw',
    });
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('fail');
    const passing = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/preflight`)
      .send(passingImage());
    expect(passing.body.verdict).not.toBe('fail');
    const [failed, passed] = (await storedEntries(app)).filter((e) => e.event === 'preflight');
    expect(failed).toMatchObject({
      outcome: 'failure',
      status: 200,
      failedChecks: ['reachability'],
    });
    expect(failed?.message).toContain('Could not download image');
    expect(JSON.stringify(failed)).not.toContain('s3cret');
    expect(passed).toMatchObject({ outcome: 'success' });
    expect(passed).not.toHaveProperty('failedChecks');
  });

  it('records a checksum verification that finds a mismatch as a failed checksum check', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    const res = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/preflight/verify`)
      .send({ ...passingImage(), imageCheckSum: 'b'.repeat(64), imageCheckSumType: 'sha256' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('event: result');
    const [entry] = (await storedEntries(app)).filter((e) => e.event === 'preflight');
    expect(entry).toMatchObject({ outcome: 'failure', failedChecks: ['checksum'] });
    expect(entry?.message).toContain('Bad sha256 for downloaded file');
  });

  it('writes the acknowledged prediction with the install, URLs redacted', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    const predictedMessage =
      'Could not download image: https://images.example.com/d.raw?X-Amz-Signature=abc123 returned 403.';
    await submit(operator, { ...missingImage(), acknowledgement: { predictedMessage } });
    const submitted = (await storedEntries(app)).find((e) => e.outcome === 'submitted');
    expect(submitted).toMatchObject({
      event: 'install',
      outcome: 'submitted',
      acknowledged: {
        predictedMessage:
          'Could not download image: https://images.example.com/d.raw?X-Amz-Signature= returned 403.',
      },
    });
    // It never reached OVH.
    expect(JSON.stringify(h.sim.admin.requests())).not.toContain('acknowledgement');
  });
});

describe("an install's outcome", () => {
  it('done, learnt from a progress read, linked to its submit, recorded once', async () => {
    h.sim.admin.setClockSpeed(1000);
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    const taskId = await submit(operator, passingImage());
    expect((await progressUntilEnd(operator)).state).toBe('done');
    // More reads of the same ended install add nothing.
    await operator.get(`/api/servers/${DEFAULT_SERVER}/install`);
    await operator.get(`/api/servers/${DEFAULT_SERVER}`);
    const entries = await storedEntries(app);
    const [submitted] = entries.filter((e) => e.outcome === 'submitted');
    expect(outcomesOf(entries)).toEqual([
      expect.objectContaining({
        outcome: 'done',
        relatesTo: submitted?.id,
        taskId,
        server: DEFAULT_SERVER,
        user: OPERATOR.username,
        role: 'operator',
        learnedFrom: 'progress',
      }),
    ]);
  });

  it("failed, with OVH's message, learnt by the console's own watch without any progress read", async () => {
    h.sim.admin.setClockSpeed(1000);
    const app = await h.buildApp({ env: { INSTALL_WATCH_INTERVAL_MS: '50' } });
    const operator = await app.signIn(OPERATOR);
    const taskId = await submit(operator, missingImage());
    const outcome = await eventually(async () => outcomesOf(await storedEntries(app))[0], 15_000);
    const [submitted] = (await storedEntries(app)).filter((e) => e.outcome === 'submitted');
    expect(outcome).toMatchObject({
      event: 'install',
      outcome: 'failed',
      relatesTo: submitted?.id,
      taskId,
      learnedFrom: 'watch',
      message: 'Could not download image: The requested URL returned error: 404',
    });
    // The progress screen read afterwards sees the same end and records nothing more.
    expect((await progressUntilEnd(operator)).state).toBe('failed');
    await new Promise((r) => setTimeout(r, 200));
    expect(outcomesOf(await storedEntries(app))).toHaveLength(1);
  });

  it('is recorded once when the watch and progress reads race', async () => {
    h.sim.admin.setClockSpeed(1000);
    const app = await h.buildApp({ env: { INSTALL_WATCH_INTERVAL_MS: '10' } });
    const operator = await app.signIn(OPERATOR);
    await submit(operator, missingImage(), SMALL_DISK_SERVER);
    await Promise.all([
      progressUntilEnd(operator, SMALL_DISK_SERVER),
      progressUntilEnd(operator, SMALL_DISK_SERVER),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    const outcomes = outcomesOf(await storedEntries(app));
    expect(outcomes.map((e) => e.outcome)).toEqual(['failed']);
  });

  it('cancelled, recorded once although the watch keeps running', async () => {
    const app = await h.buildApp({ env: { INSTALL_WATCH_INTERVAL_MS: '20' } });
    const operator = await app.signIn(OPERATOR);
    const taskId = await submit(operator, {
      ...passingImage(),
      imageURL: `${images.url}/slow/images/${kit.images['raw-gpt'].file}`,
    });
    const cancel = await operator.post(`/api/servers/${DEFAULT_SERVER}/install/cancel`).send({});
    expect(cancel.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    await operator.get(`/api/servers/${DEFAULT_SERVER}/install`);
    expect(outcomesOf(await storedEntries(app))).toEqual([
      expect.objectContaining({ outcome: 'cancelled', taskId }),
    ]);
  });

  it('is learnt after a restart for an install submitted before it', async () => {
    h.sim.admin.setClockSpeed(1000);
    const before = await h.buildApp();
    const operator = await before.signIn(OPERATOR);
    const taskId = await submit(operator, missingImage());
    await before.audit.flush();
    // The same store, a new process: it follows the install it finds unfinished there.
    const after = await h.buildApp({
      store: before.store,
      env: { INSTALL_WATCH_INTERVAL_MS: '50' },
    });
    const outcome = await eventually(async () => outcomesOf(await storedEntries(after))[0], 15_000);
    expect(outcome).toMatchObject({ outcome: 'failed', taskId, learnedFrom: 'watch' });
  });
});

describe('GET /api/audit', () => {
  let operatorOnMain: TestAgent | undefined;

  async function seeded() {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    await app.signIn(VIEWER);
    await app.signIn(SCOPED_OPERATOR);
    await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({ imageURL: 'x' });
    await operator.post(`/api/servers/${LEGACY_SERVER}/preflight`).send({ imageURL: 'y' });
    await app.audit.flush();
    return { app, operator };
  }

  const list = async (agent: TestAgent, query: string) => {
    const res = await agent.get(`/api/audit${query}`);
    expect(res.status).toBe(200);
    return res.body as AuditListResponse;
  };

  it('is one log for two replicas on one store: either one pages what both wrote', async () => {
    const one = await h.buildApp();
    const two = await h.buildApp({ store: one.store, usersFile: one.usersFile });
    const operatorOnOne = await one.signIn(OPERATOR);
    await two.signIn(VIEWER);
    await operatorOnOne.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({ imageURL: 'x' });
    const operatorOnTwo = await two.signIn(OPERATOR);
    const expected = [
      `sign-in:${OPERATOR.username}`,
      `preflight:${OPERATOR.username}`,
      `sign-in:${VIEWER.username}`,
      `sign-in:${OPERATOR.username}`,
    ];
    const written = (body: AuditListResponse) => body.entries.map((e) => `${e.event}:${e.user}`);
    expect(written(await list(operatorOnTwo, ''))).toEqual(expected);
    expect(written(await list(operatorOnOne, ''))).toEqual(expected);
    // Cursors are the log's, not a replica's: a page from one continues on the other.
    const first = await list(operatorOnOne, '?limit=2');
    expect(written(await list(operatorOnTwo, `?limit=2&cursor=${first.nextCursor}`))).toEqual(
      expected.slice(2),
    );
  });

  it('lists the newest entries first for operators, limited by ?limit=', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    await app.signIn(VIEWER);
    const res = await operator.get('/api/audit?limit=2');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { entries, nextCursor, prevCursor } = res.body as AuditListResponse;
    expect(entries.map((e) => e.user)).toEqual([VIEWER.username, OPERATOR.username]);
    expect([nextCursor, prevCursor]).toEqual([null, null]);
    expect((await operator.get('/api/audit')).body.entries).toHaveLength(2);
  });

  it('filters by user, server, event, outcome and time', async () => {
    const { operator } = await seeded();
    const events = (body: AuditListResponse) => body.entries.map((e) => `${e.event}:${e.user}`);
    expect(events(await list(operator, '?user=VICT'))).toEqual([`sign-in:${VIEWER.username}`]);
    expect(events(await list(operator, '?event=preflight'))).toEqual([
      `preflight:${OPERATOR.username}`,
      `preflight:${OPERATOR.username}`,
    ]);
    expect((await list(operator, '?server=NS3001234')).entries.map((e) => e.server)).toEqual([
      LEGACY_SERVER,
    ]);
    expect((await list(operator, '?outcome=failure')).entries.map((e) => e.event)).toEqual([
      'preflight',
      'preflight',
    ]);
    expect(events(await list(operator, '?event=sign-in,preflight&user=sam'))).toEqual([
      `sign-in:${SCOPED_OPERATOR.username}`,
    ]);
    const all = await list(operator, '');
    const times = all.entries.map((e) => e.time);
    // A time window: from inclusive, to exclusive.
    const from = encodeURIComponent(times[2] ?? '');
    const to = encodeURIComponent(times[0] ?? '');
    expect((await list(operator, `?from=${from}&to=${to}`)).entries.map((e) => e.id)).toEqual(
      all.entries
        .filter((e) => e.time >= (times[2] ?? '') && e.time < (times[0] ?? ''))
        .map((e) => e.id),
    );
    expect((await list(operator, '?to=2000-01-01T00:00:00Z')).entries).toEqual([]);
    expect((await list(operator, '?from=2000-01-01T00:00:00%2B01:00')).entries).toHaveLength(
      all.entries.length,
    );
  });

  it('pages with cursors both ways, under a filter', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    for (let i = 0; i < 7; i += 1) {
      await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({ imageURL: `u${i}` });
      await app.signIn(VIEWER);
    }
    const all = await list(operator, '?event=preflight');
    expect(all.entries).toHaveLength(7);
    const ids = all.entries.map((e) => e.id);

    const first = await list(operator, '?event=preflight&limit=3');
    expect(first.entries.map((e) => e.id)).toEqual(ids.slice(0, 3));
    expect(first.prevCursor).toBeNull();
    const second = await list(operator, `?event=preflight&limit=3&cursor=${first.nextCursor}`);
    expect(second.entries.map((e) => e.id)).toEqual(ids.slice(3, 6));
    const third = await list(operator, `?event=preflight&limit=3&cursor=${second.nextCursor}`);
    expect(third.entries.map((e) => e.id)).toEqual(ids.slice(6));
    expect(third.nextCursor).toBeNull();
    // Back again.
    const back = await list(operator, `?event=preflight&limit=3&cursor=${third.prevCursor}`);
    expect(back.entries.map((e) => e.id)).toEqual(ids.slice(3, 6));
    const start = await list(operator, `?event=preflight&limit=3&cursor=${back.prevCursor}`);
    expect(start.entries.map((e) => e.id)).toEqual(ids.slice(0, 3));
    expect(start.prevCursor).toBeNull();
    expect(start.nextCursor).toBe(first.nextCursor);
  });

  it.each([
    ['limit=0', 'limit', 'limit must be a whole number from 1 to 1000.'],
    ['limit=ten', 'limit', 'limit must be a whole number from 1 to 1000.'],
    ['event=reboot', 'event', 'event has "reboot", which is not one of sign-in'],
    ['outcome=fine', 'outcome', 'outcome has "fine", which is not one of success'],
    ['from=yesterday', 'from', 'from is not an ISO 8601 date-time with a time zone'],
    ['from=2026-11-26T09:00:00', 'from', 'from is not an ISO 8601 date-time'],
    ['from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z', 'to', 'to must be later than from.'],
    ['cursor=page2', 'cursor', 'cursor is not a cursor of this audit log'],
    ['cursor=b99999999', 'cursor', 'cursor does not point into this audit log'],
    ['cursor=b5', 'cursor', 'cursor does not point into this audit log'],
    ['user=a&user=b', 'user', 'user must be given once'],
    ['sort=time', 'sort', 'sort is not a parameter of the audit log. Use user, server, event'],
  ])('explains ?%s with a 400 naming %s and an example', async (query, parameter, message) => {
    operatorOnMain ??= await h.signIn(OPERATOR);
    const res = await operatorOnMain.get(`/api/audit?${query}`);
    expect(res.status).toBe(400);
    const { error } = res.body as ApiErrorBody;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/For example: \/api\/audit\?\S+/);
    expect(Object.keys(error.details?.fieldErrors ?? {})).toEqual([parameter]);
  });

  it('is for operators', async () => {
    const viewer = await h.signIn(VIEWER);
    expect((await viewer.get('/api/audit')).status).toBe(403);
    expect((await h.anonymous().get('/api/audit')).status).toBe(401);
  });
});
