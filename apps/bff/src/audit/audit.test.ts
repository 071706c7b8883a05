/**
 * The audit log of the real app: one JSON line per sign-in, sign-out, preflight, install, cancel
 * and refusal, in AUDIT_LOG_FILE and through the logger, with header values and user data only as
 * SHA-256; and `GET /api/audit` for operators, newest first.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, LEGACY_SERVER } from '@byoi/ovh-simulator';
import type { AuditEntryDto, AuditListResponse, InstallResponse } from '@byoi/shared';
import { startHarness, type AppUnderTest, type Harness } from '../testing/harness.ts';
import { OPERATOR, SCOPED_OPERATOR, VIEWER } from '../testing/users.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.admin.reset();
  h.sim.admin.setClockSpeed(1);
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function fileEntries(app: AppUnderTest): Promise<AuditEntryDto[]> {
  await app.audit.flush();
  const text = await readFile(app.config.auditLogFile, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEntryDto);
}

describe('audit entries', () => {
  it('records sign-in (success and failure), install with digests, cancel and sign-out', async () => {
    const app = await h.buildApp();
    await app
      .anonymous()
      .post('/api/session')
      .send({ username: OPERATOR.username, password: 'wrong' });
    const operator = await app.signIn(OPERATOR);
    const headerValue = 'Bearer image-download-token-123';
    const userData = '#cloud-config\nhostname: audited\n';
    const install = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send({
      imageURL: 'https://user-images.example.com/debian.qcow2?X-Amz-Signature=abcdef&expires=99',
      imageType: 'qcow2',
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', value: headerValue }],
      configDriveUserData: userData,
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
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

    const entries = await fileEntries(app);
    expect(entries.map((e) => `${e.event}:${e.outcome}`)).toEqual([
      'sign-in:failure',
      'sign-in:success',
      'install:success',
      'cancel:success',
      'preflight:failure',
      'sign-out:success',
    ]);
    expect(entries[4]).toMatchObject({
      server: DEFAULT_SERVER,
      imageURL: `(not a URL, sha256 ${sha256('not a url')})`,
      httpHeaders: [{ name: 'Authorization', valueSha256: sha256(headerValue) }],
    });
    const [failed, signedIn, installed, cancelled] = entries;
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
      imageURL: 'https://user-images.example.com/debian.qcow2?X-Amz-Signature=&expires=',
      imageType: 'qcow2',
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', valueSha256: sha256(headerValue) }],
      configDriveUserDataSha256: sha256(userData),
    });
    expect(typeof installed?.ip).toBe('string');
    expect(Date.parse(installed?.time ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(cancelled).toMatchObject({ server: DEFAULT_SERVER, status: 200 });

    const raw = await readFile(app.config.auditLogFile, 'utf8');
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
    expect((await stat(app.config.auditLogFile)).mode & 0o777).toBe(0o600);
  });

  it('records refusals: anonymous, wrong role, CSRF, hidden server, rate limit', async () => {
    const app = await h.buildApp({ rateLimits: { installsPerMinute: 1 } });
    await app.anonymous().get('/api/servers');
    const viewer = await app.signIn(VIEWER);
    await viewer.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});
    const scoped = await app.signIn(SCOPED_OPERATOR);
    await scoped.get(`/api/servers/${LEGACY_SERVER}`);
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).unset('X-CSRF-Token').send({});
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});
    await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).send({});

    const entries = await fileEntries(app);
    const summary = entries
      .filter((e) => e.event !== 'sign-in')
      .map((e) => [e.event, e.outcome, e.status, e.user, e.code ?? null]);
    expect(summary).toEqual([
      ['refusal', 'refused', 401, null, 'UNAUTHENTICATED'],
      ['install', 'refused', 403, VIEWER.username, 'FORBIDDEN'],
      ['refusal', 'refused', 404, SCOPED_OPERATOR.username, 'NOT_FOUND'],
      ['install', 'refused', 403, SCOPED_OPERATOR.username, 'CSRF_FAILED'],
      ['install', 'failure', 400, SCOPED_OPERATOR.username, 'VALIDATION_FAILED'],
      ['install', 'refused', 429, SCOPED_OPERATOR.username, 'RATE_LIMITED'],
    ]);
  });
});

describe('GET /api/audit', () => {
  it('lists the newest entries first for operators, limited by ?limit=', async () => {
    const app = await h.buildApp();
    const operator = await app.signIn(OPERATOR);
    await app.signIn(VIEWER);
    const res = await operator.get('/api/audit?limit=2');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { entries } = res.body as AuditListResponse;
    expect(entries.map((e) => e.user)).toEqual([VIEWER.username, OPERATOR.username]);
    expect((await operator.get('/api/audit')).body.entries).toHaveLength(2);
  });

  it('explains a bad limit', async () => {
    const operator = await h.signIn(OPERATOR);
    const res = await operator.get('/api/audit?limit=0');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('limit must be a whole number from 1 to 1000');
  });
});
