/**
 * The install history through the real app, node-ovh and simulator: what an install was (user,
 * route, image with its signed query blanked, header names but never values, user data only as
 * SHA-256, task id), how it ended with OVH's message and how long it took; pages newest first;
 * hidden from users outside the server's patterns exactly like a server that does not exist; and
 * one install by id, which "Reinstall with the same image" starts from.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, LEGACY_SERVER, SMALL_DISK_SERVER } from '@byoi/ovh-simulator';
import type {
  ApiErrorBody,
  InstallHistoryEntryDto,
  InstallHistoryResponse,
  InstallProgressDto,
  InstallResponse,
} from '@byoi/shared';
import { eventually, fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, TEST_USERS, VIEWER, type TestAgent, type TestUser } from '../testing/users.ts';

/** A viewer limited to the default server and the small ones: the legacy server is hidden. */
const SCOPED_VIEWER: TestUser = {
  username: 'vera',
  password: 'scoped-viewer-pass-1',
  role: 'viewer',
  servers: [DEFAULT_SERVER, 'ns-small-*'],
};

let h: Harness;
let operator: TestAgent;
let viewer: TestAgent;
let scopedViewer: TestAgent;

beforeAll(async () => {
  h = await startHarness({}, { users: [...TEST_USERS, SCOPED_VIEWER] });
  [operator, viewer, scopedViewer] = await Promise.all([
    h.signIn(OPERATOR),
    h.signIn(VIEWER),
    h.signIn(SCOPED_VIEWER),
  ]);
}, 60_000);
afterAll(() => h.close());
beforeEach(() => {
  h.sim.admin.reset();
  h.sim.admin.setClockSpeed(1000);
});

const EFI = '\\efi\\debian\\grubx64.efi';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Nothing listens on port 9: OVH accepts the install, which then fails at download. */
const failingImage = (query = '') => ({
  imageURL: `http://127.0.0.1:9/image.raw${query}`,
  imageType: 'raw',
  efiBootloaderPath: EFI,
});

async function installToEnd(sn: string, form: object): Promise<number> {
  const res = await operator.post(`/api/servers/${sn}/install`).send(form);
  expect(res.status).toBe(202);
  const taskId = (res.body as InstallResponse).task.taskId;
  await eventually(async () => {
    const body = (await operator.get(`/api/servers/${sn}/install`)).body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
  return taskId;
}

const history = async (agent: TestAgent, sn: string, query = '') => {
  const res = await agent.get(`/api/servers/${sn}/installs${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as InstallHistoryResponse;
};

describe('GET /api/servers/:sn/installs', () => {
  it("lists who installed what, how it ended with OVH's message and how long it took; no secret", async () => {
    const headerValue = 'Bearer header-value-never-kept';
    const userData = '#cloud-config\nhostname: history-01\n';
    const taskId = await installToEnd(DEFAULT_SERVER, {
      ...failingImage('?X-Amz-Signature=s3cr3t-signature&X-Amz-Expires=600'),
      httpHeaders: [{ name: 'Authorization', value: headerValue }],
      configDriveUserData: userData,
    });
    const body = await history(viewer, DEFAULT_SERVER);
    const [entry] = body.entries;
    await h.audit.flush();
    const submit = (await h.audit.recent(50)).find(
      (e) => e.event === 'install' && e.outcome === 'submitted' && e.taskId === taskId,
    );
    expect(entry).toMatchObject({
      id: submit?.id,
      server: DEFAULT_SERVER,
      taskId,
      user: OPERATOR.username,
      route: 'reinstall',
      outcome: 'failed',
      image: {
        imageURL: 'http://127.0.0.1:9/image.raw?X-Amz-Signature=&X-Amz-Expires=',
        imageURLRedacted: true,
        imageType: 'raw',
        imageCheckSum: null,
        imageCheckSumType: null,
        efiBootloaderPath: EFI,
        httpHeaderNames: ['Authorization'],
        customHostname: null,
        configDriveUserDataSha256: sha256(userData),
      },
      libraryImage: null,
    });
    expect(entry?.message).toMatch(/^Could not download image/);
    expect(entry?.endedAt).not.toBeNull();
    const duration =
      (Date.parse(entry?.endedAt ?? '') - Date.parse(entry?.submittedAt ?? '')) / 1000;
    expect(entry?.durationSeconds).toBe(Math.max(0, Math.round(duration)));
    expect(entry?.durationSeconds).toBeGreaterThanOrEqual(0);
    const json = JSON.stringify(body);
    expect(json).not.toContain(headerValue);
    expect(json).not.toContain('header-value-never-kept');
    expect(json).not.toContain('s3cr3t-signature');
    expect(json).not.toContain('history-01');
    expect(body.nextCursor).toBeNull();
  });

  it('pages newest first with limit and cursor', async () => {
    const tasks: number[] = [];
    for (let i = 0; i < 3; i += 1)
      tasks.push(await installToEnd(SMALL_DISK_SERVER, failingImage()));
    const first = await history(operator, SMALL_DISK_SERVER, '?limit=2');
    expect(first.entries.map((e) => e.taskId)).toEqual([tasks[2], tasks[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await history(
      operator,
      SMALL_DISK_SERVER,
      `?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(second.entries.map((e) => e.taskId)).toEqual([tasks[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await history(operator, SMALL_DISK_SERVER)).entries).toHaveLength(3);
  });

  it('refuses a bad parameter with 400, naming it', async () => {
    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?limit=2.5', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?limit=5&limit=6', 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await operator.get(`/api/servers/${DEFAULT_SERVER}/installs${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(fieldsInError(res.body), query).toEqual([field]);
      expect(res.body.error.message).toContain(field);
    }
    const unknown = await operator.get(`/api/servers/${DEFAULT_SERVER}/installs?page=2`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('Unknown query parameter(s): page');
  });

  it('hides a server outside the user’s patterns exactly like one that does not exist', async () => {
    await installToEnd(LEGACY_SERVER, failingImage());
    expect((await history(operator, LEGACY_SERVER)).entries).toHaveLength(1);
    const hidden = await scopedViewer.get(`/api/servers/${LEGACY_SERVER}/installs`);
    const missing = await scopedViewer.get('/api/servers/ns-nope.example/installs');
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect(hidden.body.error.message).toBe(
      (missing.body as ApiErrorBody).error.message.replace('ns-nope.example', LEGACY_SERVER),
    );
    expect(JSON.stringify(hidden.body)).not.toContain('Could not download');
    // The servers it may see answer as for anyone.
    expect((await history(scopedViewer, DEFAULT_SERVER)).entries.length).toBeGreaterThan(0);
  });
});

describe('GET /api/installs/:id', () => {
  it('answers one install as the history lists it, for reuse', async () => {
    const taskId = await installToEnd(DEFAULT_SERVER, {
      ...failingImage(),
      customHostname: 'again-01',
      httpHeaders: [{ name: 'X-Token', value: 'v4lue' }],
    });
    const listed = (await history(operator, DEFAULT_SERVER)).entries.find(
      (e) => e.taskId === taskId,
    );
    expect(listed).toBeDefined();
    const res = await viewer.get(`/api/installs/${listed?.id ?? ''}`);
    expect(res.status).toBe(200);
    const { entry } = res.body as { entry: InstallHistoryEntryDto };
    expect(entry).toEqual(listed);
    expect(entry.image).toMatchObject({
      imageURL: 'http://127.0.0.1:9/image.raw',
      imageURLRedacted: false,
      customHostname: 'again-01',
      httpHeaderNames: ['X-Token'],
      configDriveUserDataSha256: null,
    });
    expect(JSON.stringify(res.body)).not.toContain('v4lue');
  });

  it('answers 404 for an unknown id and for an install on a server the user may not see', async () => {
    await installToEnd(LEGACY_SERVER, failingImage());
    const onLegacy = (await history(operator, LEGACY_SERVER)).entries[0];
    expect(onLegacy).toBeDefined();
    const hidden = await scopedViewer.get(`/api/installs/${onLegacy?.id ?? ''}`);
    const unknown = await scopedViewer.get('/api/installs/no-such-install');
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect(hidden.body.error.message).toBe(
      (unknown.body as ApiErrorBody).error.message.replace('no-such-install', onLegacy?.id ?? ''),
    );
    expect((await operator.get(`/api/installs/${onLegacy?.id ?? ''}`)).status).toBe(200);
    // The hidden one is audited as a refusal; the plain miss is not.
    await h.audit.flush();
    const refusals = (await h.audit.recent(50)).filter(
      (e) => e.outcome === 'refused' && e.route?.startsWith('/api/installs/'),
    );
    expect(refusals.map((e) => e.route)).toEqual([`/api/installs/${onLegacy?.id ?? ''}`]);
  });
});
