/**
 * Rollouts through the real app, node-ovh and the simulator (a generated fleet of several
 * hardware profiles besides the fixtures), with installs counted at the simulator: planning and
 * its refusals, the check (matrix), a rollout to done within maxInFlight, a failed canary that
 * stops everything, pause/resume, and an abort that cancels the running installs at OVH.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER, LEGACY_SERVER, SMALL_DISK_SERVER } from '@byoi/ovh-simulator';
import type {
  ApiErrorBody,
  AuditListResponse,
  CreateRolloutInput,
  RolloutDetailDto,
  RolloutListResponse,
} from '@byoi/shared';
import { eventually, startHarness, type Harness } from '../testing/harness.ts';
import { startWebhookReceiver } from '../testing/webhookReceiver.ts';
import { OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;
let operator: TestAgent;

const FLEET = 12;

beforeAll(async () => {
  [h, kit] = await Promise.all([
    startHarness({
      SIMULATOR_CLOCK_SPEED: '1000',
      SIMULATOR_SERVER_COUNT: String(FLEET),
      ROLLOUT_TICK_MS: '40',
      INSTALL_WATCH_INTERVAL_MS: '40',
      WEBHOOK_POLL_MS: '40',
    }),
    ensureImages(),
  ]);
  images = await startImageServer({ dir: kit.dir });
  operator = await h.signIn(OPERATOR);
}, 180_000);
afterAll(async () => {
  await images.close();
  await h.close();
});
beforeEach(() => {
  h.sim.admin.reset();
  images.reset();
});

/** 48 MiB raw GPT, UEFI only (\\EFI\\BOOT\\BOOTX64.EFI): too big for a 16 MB disk. */
const IMAGE = 'raw-gpt-efi-fallback';
const EFI = '\\efi\\boot\\bootx64.efi';

/** The generated servers that can take the image: those that boot in UEFI. */
async function fleetNames(): Promise<string[]> {
  const { items } = await h.ovh.firstServers({ sort: 'name', order: 'ASC' });
  const generated = items.map((s) => s.name).filter((n) => n.startsWith('ns41'));
  const uefi = await Promise.all(
    generated.map(async (name) =>
      (await h.ovh.getHardware(name)).bootMode === 'uefi' ? name : null,
    ),
  );
  return uefi.filter((name): name is string => name !== null);
}

function plan(
  servers: CreateRolloutInput['servers'],
  more: Partial<CreateRolloutInput> = {},
): CreateRolloutInput {
  return {
    name: 'Debian on the fleet',
    servers,
    image: {
      imageURL: `${images.url}/images/${kit.images[IMAGE].file}`,
      imageType: 'raw',
      efiBootloaderPath: EFI,
    },
    plan: { canary: 1, batchSize: 2, maxInFlight: 2, onBlocked: 'skip' as const },
    ...more,
  };
}

async function create(body: CreateRolloutInput): Promise<string> {
  const res = await operator.post('/api/rollouts').send(body);
  expect(res.status, res.text).toBe(201);
  return (res.body as { id: string }).id;
}

const read = async (id: string) =>
  (await operator.get(`/api/rollouts/${id}`).expect(200)).body as RolloutDetailDto;

const until = (id: string, ok: (r: RolloutDetailDto) => boolean, timeoutMs = 30_000) =>
  eventually(async () => {
    const r = await read(id);
    return ok(r) ? r : undefined;
  }, timeoutMs);

describe('planning a rollout', () => {
  it('refuses a bad plan, a hostname, an empty search (400) and unknown servers (404), storing nothing', async () => {
    const cases: [CreateRolloutInput, RegExp][] = [
      [
        plan([DEFAULT_SERVER], { plan: { batchSize: 0, maxInFlight: 2 } }),
        /plan\.batchSize must be a whole number 1 or more/,
      ],
      [
        plan([DEFAULT_SERVER], {
          customizations: { customHostname: 'web' } as CreateRolloutInput['customizations'],
        }),
        /every server would get the same hostname/,
      ],
      [plan({ search: 'no-such-server-anywhere' }), /No server you may see matches/],
      [plan([DEFAULT_SERVER, DEFAULT_SERVER]), /names ns1234567\.ip-51-91-0\.eu twice/],
      [
        plan([DEFAULT_SERVER], { image: { imageURL: 'ftp://x/y.qcow2', imageType: 'qcow2' } }),
        /image URL/i,
      ],
      [
        plan([DEFAULT_SERVER], { image: { libraryImageId: 'nope', version: 1 } }),
        /names no image of the library/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await operator.post('/api/rollouts').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect((res.body as ApiErrorBody).error.message).toMatch(message);
    }
    const absent = await operator.post('/api/rollouts').send(plan(['ns-nobody.example.eu']));
    expect(absent.status).toBe(404);
    expect((absent.body as ApiErrorBody).error.message).toMatch(
      /not in this account or not among the servers you may see: ns-nobody\.example\.eu/,
    );
    const list = (await operator.get('/api/rollouts').expect(200)).body as RolloutListResponse;
    expect(list.rollouts).toEqual([]);
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('is for operators: a viewer reads but cannot plan or start', async () => {
    const viewer = await h.signIn(VIEWER);
    await viewer
      .post('/api/rollouts')
      .send(plan([DEFAULT_SERVER]))
      .expect(403);
    const id = await create(plan([DEFAULT_SERVER]));
    await viewer.get(`/api/rollouts/${id}`).expect(200);
    await viewer.post(`/api/rollouts/${id}/start`).expect(403);
    await viewer.post(`/api/rollouts/${id}/abort`).expect(403);
    await operator.post(`/api/rollouts/${id}/abort`).expect(200);
  });

  it('answers 404 for a rollout that does not exist', async () => {
    const res = await operator.get('/api/rollouts/no-such-rollout').expect(404);
    expect((res.body as ApiErrorBody).error.message).toMatch(/no rollout/);
    await operator.post('/api/rollouts/no-such-rollout/start').expect(404);
  });
});

describe('a rollout over several hardware profiles', () => {
  it('checks every server, leaves out the one the image cannot fit, and installs the rest within maxInFlight, each once', async () => {
    const fleet = await fleetNames();
    const servers = [DEFAULT_SERVER, SMALL_DISK_SERVER, LEGACY_SERVER, ...fleet.slice(0, 6)];
    const id = await create(plan(servers));
    expect(h.sim.admin.requests()).toEqual([]);

    const ready = await until(id, (r) => r.state === 'ready');
    expect(ready.matrix?.profiles.length).toBeGreaterThanOrEqual(3);
    const blocked = ready.servers.filter((s) => s.state === 'blocked').map((s) => s.name);
    expect(blocked).toContain(SMALL_DISK_SERVER);
    expect(blocked).toContain(LEGACY_SERVER);
    const small = ready.servers.find((s) => s.name === SMALL_DISK_SERVER);
    expect(small?.message).toMatch(/on disk/);
    const blockedProfile = ready.matrix?.profiles.find((p) =>
      p.servers.includes(SMALL_DISK_SERVER),
    );
    expect(blockedProfile?.verdict).toBe('blocked');
    // Nothing was installed by the check.
    expect(h.sim.admin.requests()).toEqual([]);

    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    const done = await until(id, (r) => r.state === 'done', 60_000);
    const installed = servers.filter((s) => !blocked.includes(s));
    expect(done.counts).toMatchObject({
      done: installed.length,
      blocked: blocked.length,
      failed: 0,
    });
    const requested = h.sim.admin.requests().map((r) => r.serviceName);
    expect([...requested].sort()).toEqual([...installed].sort());
    expect(h.sim.admin.peakRunningInstalls()).toBeLessThanOrEqual(2);
    expect(h.sim.admin.peakRunningInstalls()).toBe(2);
    // The canary went first, alone.
    expect(requested[0]).toBe(done.servers.find((s) => s.wave === 0)?.name);
    for (const server of done.servers.filter((s) => s.state === 'done')) {
      expect(server.taskId).not.toBeNull();
      expect(server.installId).not.toBeNull();
    }
    expect(done.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'created',
        'checked',
        'started',
        'rollout.canary_passed',
        'rollout.done',
      ]),
    );
    // Each install is in the server's history like a single install.
    const history = (await operator.get(`/api/servers/${installed[0]}/installs`).expect(200))
      .body as { entries: { id: string; outcome: string }[] };
    expect(history.entries[0]).toMatchObject({
      id: done.servers.find((s) => s.name === installed[0])?.installId,
      outcome: 'done',
    });
    // Audited.
    const audit = (await operator.get('/api/audit?event=rollout-start').expect(200))
      .body as AuditListResponse;
    expect(audit.entries[0]).toMatchObject({ event: 'rollout-start', rolloutId: id });
  }, 90_000);

  it('refuses to start while a server is blocked when onBlocked is refuse, with the list', async () => {
    const id = await create(
      plan([DEFAULT_SERVER, SMALL_DISK_SERVER], {
        plan: { canary: 1, batchSize: 1, maxInFlight: 1, onBlocked: 'refuse' },
      }),
    );
    await until(id, (r) => r.state === 'ready');
    const res = await operator.post(`/api/rollouts/${id}/start`).expect(409);
    expect((res.body as ApiErrorBody).error).toMatchObject({ code: 'ROLLOUT_CONFLICT' });
    expect((res.body as ApiErrorBody).error.message).toContain(SMALL_DISK_SERVER);
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('stops everything when the canary fails: the other servers are skipped, never installed', async () => {
    const fleet = await fleetNames();
    const servers = fleet.slice(0, 4);
    h.sim.admin.injectFault({
      method: 'POST',
      path: `/dedicated/server/${servers[0]}/reinstall`,
      status: 400,
      times: 1,
    });
    const id = await create(
      plan(servers, {
        plan: { canary: 1, batchSize: 3, maxInFlight: 3, maxFailures: 5, onBlocked: 'skip' },
      }),
    );
    await until(id, (r) => r.state === 'ready');
    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    const failed = await until(id, (r) => r.state === 'failed');
    expect(failed.counts).toMatchObject({ failed: 1, skipped: 3, done: 0 });
    expect(failed.servers[0]?.message).toMatch(/injected fault/);
    expect(failed.events.map((e) => e.kind)).toContain('rollout.canary_failed');
    // The refused canary reached OVH once (the fault answered it); no other server was asked.
    const posts = Object.entries(h.sim.admin.calls()).filter(([call]) => call.startsWith('POST '));
    expect(posts).toEqual([[`POST /dedicated/server/${servers[0]}/reinstall`, 1]]);
  });

  it('pauses after the canary when asked, and goes on when resumed', async () => {
    const servers = (await fleetNames()).slice(0, 3);
    const id = await create(
      plan(servers, {
        plan: {
          canary: 1,
          batchSize: 2,
          maxInFlight: 2,
          pauseAfterCanary: true,
          onBlocked: 'skip',
        },
      }),
    );
    await until(id, (r) => r.state === 'ready');
    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    const paused = await until(id, (r) => r.state === 'paused');
    expect(paused.counts).toMatchObject({ done: 1, pending: 2 });
    await operator.post(`/api/rollouts/${id}/pause`).expect(409);
    expect(h.sim.admin.requests()).toHaveLength(1);
    await operator.post(`/api/rollouts/${id}/resume`).expect(200);
    const done = await until(id, (r) => r.state === 'done');
    expect(done.counts.done).toBe(3);
    expect(h.sim.admin.requests()).toHaveLength(3);
  });

  it('aborts: pending servers are skipped, running installs cancelled at OVH when asked', async () => {
    h.sim.admin.setClockSpeed(5);
    const servers = (await fleetNames()).slice(0, 5);
    const id = await create(
      plan(servers, { plan: { canary: 0, batchSize: 2, maxInFlight: 2, onBlocked: 'skip' } }),
    );
    await until(id, (r) => r.state === 'ready');
    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    await until(id, (r) => r.servers.filter((s) => s.startedAt !== null).length === 2);
    const aborted = (
      await operator.post(`/api/rollouts/${id}/abort`).send({ cancelRunning: true }).expect(200)
    ).body as RolloutDetailDto;
    expect(aborted.state, JSON.stringify(aborted.servers)).toBe('aborted');
    expect(aborted.counts.skipped, JSON.stringify(aborted.servers)).toBe(3);
    const settled = await until(id, (r) => r.counts.installing === 0);
    expect(settled.counts, JSON.stringify(settled)).toMatchObject({ cancelled: 2, skipped: 3 });
    expect(h.sim.admin.requests()).toHaveLength(2);
    await operator.post(`/api/rollouts/${id}/resume`).expect(409);
  }, 60_000);
});

describe('what a rollout tells and keeps', () => {
  it('tells a webhook, signed, that it started, passed its canary and is done, and each install finished', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const hook = await operator
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/byoi`, description: 'rollout test' })
        .expect(201);
      const { secret, webhook } = hook.body as { secret: string; webhook: { id: string } };
      receiver.secrets = [secret];
      const servers = (await fleetNames()).slice(0, 2);
      const id = await create(plan(servers));
      await until(id, (r) => r.state === 'ready');
      await operator.post(`/api/rollouts/${id}/start`).expect(200);
      await until(id, (r) => r.state === 'done');
      const types = () =>
        receiver.received.map((d) => (JSON.parse(d.body) as { type: string }).type);
      await eventually(() =>
        Promise.resolve(
          types().filter((t) => t === 'install.finished').length === 2 &&
            types().includes('rollout.done')
            ? true
            : undefined,
        ),
      );
      expect(types().filter((t) => t.startsWith('rollout.'))).toEqual([
        'rollout.started',
        'rollout.canary_passed',
        'rollout.done',
      ]);
      for (const delivery of receiver.received) expect(delivery.verifiedWith).toEqual([secret]);
      const done = receiver.received.find((d) => d.body.includes('"rollout.done"'));
      expect(JSON.parse(done?.body ?? '{}')).toMatchObject({
        data: { rollout: { id, state: 'done' }, counts: { done: 2, total: 2 } },
      });
      await operator.delete(`/api/webhooks/${webhook.id}`).expect(200);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('keeps header values and user data sealed at rest, out of every answer and log, and still installs with them', async () => {
    const [server] = await fleetNames();
    const body = plan([server!], {
      image: {
        imageURL: `${images.url}/images/${kit.images[IMAGE].file}`,
        imageType: 'raw',
        efiBootloaderPath: EFI,
        httpHeaders: [{ name: 'Authorization', value: 'Bearer s3cr3t-rollout-token' }],
      },
      customizations: { configDriveUserData: '#cloud-config\npassword: hunter2-rollout' },
    });
    const id = await create(body);
    const row = await h.store.db
      .selectFrom('rollouts')
      .select(['form', 'image'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.form).toMatch(/^v1\./);
    await until(id, (r) => r.state === 'ready');
    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    const done = await until(id, (r) => r.state === 'done');
    expect(done.image.httpHeaderNames).toEqual(['Authorization']);
    const everything = [
      JSON.stringify(row),
      JSON.stringify(done),
      JSON.stringify((await operator.get('/api/rollouts').expect(200)).body),
      JSON.stringify((await operator.get('/api/audit').expect(200)).body),
      h.logLines.join('\n'),
    ].join('\n');
    expect(everything).not.toContain('s3cr3t-rollout-token');
    expect(everything).not.toContain('hunter2-rollout');
    // OVH got them: the install was made with the form as given.
    const [request] = h.sim.admin.requests();
    expect(JSON.stringify(request?.body)).toContain('s3cr3t-rollout-token');
  }, 60_000);

  it('installs a library version with its stored header values, added at each install, never copied', async () => {
    const created = await operator.post('/api/images').send({
      name: 'Fleet image',
      version: {
        imageURL: `${images.url}/images/${kit.images[IMAGE].file}`,
        imageType: 'raw',
        efiBootloaderPath: EFI,
        httpHeaders: [{ name: 'X-Token', value: 'library-s3cret-value' }],
      },
    });
    expect(created.status, created.text).toBe(201);
    const imageId = (created.body as { image: { id: string } }).image.id;
    const servers = (await fleetNames()).slice(0, 2);
    const id = await create(plan(servers, { image: { libraryImageId: imageId, version: 1 } }));
    const row = await h.store.db
      .selectFrom('rollouts')
      .select('form')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.form).not.toContain('library-s3cret-value');
    await until(id, (r) => r.state === 'ready');
    await operator.post(`/api/rollouts/${id}/start`).expect(200);
    const done = await until(id, (r) => r.state === 'done');
    expect(done.image.libraryImage).toEqual({ id: imageId, name: 'Fleet image', version: 1 });
    const bodies = h.sim.admin.requests().map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body).toContain('library-s3cret-value');
    const history = (await operator.get(`/api/servers/${servers[0]}/installs`).expect(200))
      .body as { entries: { libraryImage: { id: string } | null }[] };
    expect(history.entries[0]?.libraryImage?.id).toBe(imageId);
    // An archived image can no longer be rolled out.
    await operator.delete(`/api/images/${imageId}`).expect(200);
    const refused = await operator
      .post('/api/rollouts')
      .send(plan(servers, { image: { libraryImageId: imageId, version: 1 } }));
    expect(refused.status).toBe(400);
    expect((refused.body as ApiErrorBody).error.code).toBe('IMAGE_ARCHIVED');
  }, 60_000);
});
