/**
 * The install flow through the real node-ovh client: successful BYOI installs on both routes with
 * real images, progress while running, the one-install-at-a-time rule, tasks, cancellation and
 * OVH's submit-time refusals.
 */
import { buildInstallPayload, byoiFormSchemaFor } from '@byoi/shared';
import type { ByoiFormInput } from '@byoi/shared';
import { ensureImages, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageName, ImageServer } from '@byoi/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ROUTES,
  client,
  install,
  installRequest,
  plainCall,
  rawCall,
  rejection,
  startTrusted,
  waitForTask,
} from '../../test/helpers.ts';
import type { OvhClient, StepBody, TaskBody } from '../../test/helpers.ts';
import { DEFAULT_SERVER, LEGACY_SERVER } from '../fixtures.ts';
import { TASK_FUNCTIONS } from '../ovh/routes.ts';
import type { Simulator } from '../simulator.ts';

let kit: ImageKit;
let images: ImageServer;
let sim: Simulator;
let c: OvhClient;
let closeSim: () => Promise<void>;

const url = (name: ImageName, prefix = '') =>
  `${images.url}${prefix}/images/${kit.images[name].file}`;
const base = (sn: string) => `/dedicated/server/${sn}`;
/** Without a config-drive customization OVH adds no config drive, hence no step for it. */
const BYOI_STEP_COMMENTS = [
  'Preparing installation',
  'Downloading image',
  'Checking image checksum',
  'Checking image format',
  'Writing image to disk',
  'Rebooting on installed OS',
];

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
  ({ sim, close: closeSim } = await startTrusted({ clockSpeed: 1000 }));
  c = client(sim);
});

afterAll(async () => {
  await images.close();
  await closeSim();
});

beforeEach(() => {
  sim.admin.reset();
  images.reset();
});

async function serverOs(sn: string): Promise<string> {
  return ((await c.requestPromised('GET', base(sn))) as { os: string }).os;
}

async function waitForStep(sn: string, comment: string, status: string): Promise<StepBody[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await rawCall(sim, 'GET', `${base(sn)}/install/status`);
    const steps = (answer.body as { progress?: StepBody[] }).progress ?? [];
    if (steps.some((s) => s.comment === comment && s.status === status)) return steps;
    if (Date.now() > deadline) throw new Error(`step "${comment}" never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a successful BYOI install', () => {
  for (const route of ROUTES) {
    it(`${route}: raw GPT image with a sha256 → done, every step done, os becomes byoi_64`, async () => {
      expect(await serverOs(DEFAULT_SERVER)).not.toBe('byoi_64');
      const image = kit.images['raw-gpt'];
      const { task, steps } = await install(
        c,
        DEFAULT_SERVER,
        {
          imageURL: url('raw-gpt'),
          imageType: 'raw',
          imageCheckSum: image.sha256,
          imageCheckSumType: 'sha256',
        },
        route,
      );
      expect(task).toMatchObject({
        function: 'reinstallServer',
        status: 'done',
        comment: 'Start bare metal OS installation',
      });
      expect((task as TaskBody & { doneDate: string }).doneDate).toEqual(expect.any(String));
      expect(steps.map((s) => s.comment)).toEqual(BYOI_STEP_COMMENTS);
      expect(steps.every((s) => s.status === 'done' && s.error === null)).toBe(true);
      expect(await serverOs(DEFAULT_SERVER)).toBe('byoi_64');
      // What was "written": the bytes that were downloaded, on the server's first disk.
      const snapshot = await plainCall(sim, 'GET', `/_sim/servers/${DEFAULT_SERVER}`);
      expect(snapshot.body).toEqual({
        serviceName: DEFAULT_SERVER,
        state: 'ok',
        os: 'byoi_64',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
        locked: false,
        expired: false,
        disk: {
          imageURL: url('raw-gpt'),
          imageType: 'raw',
          format: 'DOS/MBR boot sector; GPT partition table',
          bytes: image.size,
          sha256: image.sha256,
          device: '/dev/nvme0n1',
          configDrive: null,
          taskId: task.taskId,
        },
        lastDownload: {
          taskId: task.taskId,
          outcome: 'ok',
          bytes: image.size,
          peakHeldBytes: expect.any(Number) as number,
        },
      });
      // The whole image was fetched, once.
      expect(images.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
      expect(images.bytesServed()).toBe(image.size);
    });
  }

  const good: Array<[ImageName, 'raw' | 'qcow2']> = [
    ['raw-gpt-bios', 'raw'],
    ['raw-mbr', 'raw'],
    ['qcow2', 'qcow2'],
    ['qcow2-compressed', 'qcow2'],
    ['qcow2-v2', 'qcow2'],
  ];
  for (const [name, imageType] of good) {
    it(`${name} as ${imageType} → done`, async () => {
      const { task } = await install(c, LEGACY_SERVER, { imageURL: url(name), imageType });
      expect(task.status).toBe('done');
      expect(await serverOs(LEGACY_SERVER)).toBe('byoi_64');
      expect(sim.admin.server(LEGACY_SERVER).disk).toMatchObject({
        imageType,
        bytes: kit.images[name].size,
        sha256: kit.images[name].sha256,
      });
    });
  }

  for (const algorithm of ['md5', 'sha1', 'sha512'] as const) {
    it(`a matching ${algorithm} (typed in upper case) → done`, async () => {
      const { task } = await install(
        c,
        DEFAULT_SERVER,
        {
          imageURL: url('qcow2'),
          imageType: 'qcow2',
          imageCheckSum: kit.images.qcow2[algorithm].toUpperCase(),
          imageCheckSumType: algorithm,
        },
        'reinstall',
      );
      expect(task.status).toBe('done');
    });
  }

  it('sends the operator’s headers: a Basic-auth URL with the header → done', async () => {
    const { task } = await install(c, DEFAULT_SERVER, {
      imageURL: url('qcow2', '/auth'),
      imageType: 'qcow2',
      httpHeaders: { Authorization: images.authorization, 'X-Trace': 'byoi-test' },
    });
    expect(task.status).toBe('done');
    expect(images.requests).toMatchObject([{ status: 200 }]);
    expect(images.requests[0]?.headers.authorization).toBe(images.authorization);
    expect(images.requests[0]?.headers['x-trace']).toBe('byoi-test');
  });

  it('follows redirects, and downloads from hosts without ranges or HEAD', async () => {
    for (const prefix of ['/redirect/3', '/no-ranges', '/no-head']) {
      sim.admin.reset();
      const { task } = await install(c, DEFAULT_SERVER, {
        imageURL: url('raw-gpt', prefix),
        imageType: 'raw',
      });
      expect(task.status).toBe('done');
    }
  });

  const userData: Array<[string, string, string]> = [
    [
      'plain #cloud-config',
      '#cloud-config\nhostname: byoi\npackages:\n  - vim\n',
      '#cloud-config\nhostname: byoi\npackages:\n  - vim\n',
    ],
    [
      'base64 #cloud-config (what OVH recommends)',
      Buffer.from('#cloud-config\nusers:\n  - name: ops\n').toString('base64'),
      '#cloud-config\nusers:\n  - name: ops\n',
    ],
    [
      'a #! script',
      '#!/bin/sh\necho hello > /root/hello\n',
      '#!/bin/sh\necho hello > /root/hello\n',
    ],
  ];
  for (const [what, data, text] of userData) {
    it(`config drive from ${what} → done, the user data written as text`, async () => {
      const { task, steps } = await install(
        c,
        DEFAULT_SERVER,
        { imageURL: url('raw-gpt'), imageType: 'raw', configDriveUserData: data },
        'reinstall',
      );
      expect(task.status).toBe('done');
      expect(steps.map((s) => s.comment)).toContain('Creating config drive');
      expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive?.userData).toBe(text);
    });
  }

  for (const route of ROUTES) {
    it(`${route}: the payload the BFF builds (shared builders, every field) → done`, async () => {
      const form: ByoiFormInput = {
        imageURL: url('qcow2', '/auth'),
        imageType: 'qcow2',
        imageCheckSum: kit.images.qcow2.sha256,
        imageCheckSumType: 'sha256',
        httpHeaders: [{ name: 'Authorization', value: images.authorization }],
        configDriveUserData: '#cloud-config\nhostname: web-1\n',
        configDriveMetadata: [{ key: 'role', value: 'web' }],
        customHostname: 'web-1.example.net',
        sshKey:
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ5b2ktY29uc29sZS10ZXN0LWtleS1ub3QtcmVhbA ops@example',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      };
      const request = buildInstallPayload(route, byoiFormSchemaFor(route).parse(form));
      const started = (await c.requestPromised(
        'POST',
        `${base(DEFAULT_SERVER)}${request.path}`,
        request.body as unknown as Record<string, unknown>,
      )) as TaskBody;
      expect(started.status).toBe('init');
      expect((await waitForTask(c, DEFAULT_SERVER, started.taskId)).status).toBe('done');
      expect(images.requests[0]?.headers.authorization).toBe(images.authorization);
      expect(sim.admin.requests()).toEqual([
        expect.objectContaining({ route, serviceName: DEFAULT_SERVER, body: request.body }),
      ]);
    });
  }

  it('install/start answers a dedicated.server.Task, reinstall a dedicated.server.task.Response', async () => {
    const fields = { imageURL: url('raw-gpt'), imageType: 'raw' };
    const a = installRequest('install-start', fields);
    const first = (await c.requestPromised(
      'POST',
      `${base(DEFAULT_SERVER)}${a.path}`,
      a.body,
    )) as Record<string, unknown>;
    expect(first).toMatchObject({
      function: 'reinstallServer',
      status: 'init',
      needSchedule: false,
    });
    await waitForTask(c, DEFAULT_SERVER, first.taskId as number);
    const b = installRequest('reinstall', fields);
    const second = (await c.requestPromised(
      'POST',
      `${base(DEFAULT_SERVER)}${b.path}`,
      b.body,
    )) as Record<string, unknown>;
    expect(Object.keys(second).sort()).toEqual([
      'comment',
      'doneDate',
      'function',
      'startDate',
      'status',
      'taskId',
    ]);
  });

  it('an ordinary OVH template installs without downloading anything', async () => {
    const task = (await c.requestPromised('POST', `${base(DEFAULT_SERVER)}/install/start`, {
      templateName: 'debian12_64',
    })) as TaskBody;
    expect((await waitForTask(c, DEFAULT_SERVER, task.taskId)).status).toBe('done');
    expect(await serverOs(DEFAULT_SERVER)).toBe('debian12_64');
    expect(sim.admin.server(DEFAULT_SERVER).disk).toBeNull();
    expect(images.requests).toEqual([]);
  });
});

describe('progress, the one-install rule, tasks and cancellation', () => {
  it('install/status is 404 when no install ran on the server', async () => {
    const answer = await rawCall(sim, 'GET', `${base(DEFAULT_SERVER)}/install/status`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      class: 'Client::NotFound',
      message: 'Server is not being installed or reinstalled at the moment',
    });
    expect(
      await rejection(c.requestPromised('GET', `${base(DEFAULT_SERVER)}/install/status`)),
    ).toMatchObject({ error: 404 });
  });

  it('shows steps doing/done/todo while the image downloads, refuses a second install, then allows one after cancel', async () => {
    const first = installRequest('install-start', {
      imageURL: url('raw-gpt', '/slow'),
      imageType: 'raw',
    });
    const task = (await c.requestPromised(
      'POST',
      `${base(DEFAULT_SERVER)}${first.path}`,
      first.body,
    )) as TaskBody;
    const steps = await waitForStep(DEFAULT_SERVER, 'Downloading image', 'doing');
    expect(steps.map((s) => s.status)).toEqual(['done', 'doing', 'todo', 'todo', 'todo', 'todo']);
    expect(
      ((await c.requestPromised('GET', `${base(DEFAULT_SERVER)}/task/${task.taskId}`)) as TaskBody)
        .status,
    ).toBe('doing');

    for (const route of ROUTES) {
      const again = installRequest(route, { imageURL: url('raw-gpt'), imageType: 'raw' });
      const refused = await rawCall(sim, 'POST', `${base(DEFAULT_SERVER)}${again.path}`, {
        body: again.body,
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        class: 'Client::BadRequest::TaskAlreadyExists',
        message: `Task ${task.taskId} of type reinstallServer with status doing is already running on server ${DEFAULT_SERVER}`,
      });
    }
    // Another server is not affected.
    const other = installRequest('install-start', { imageURL: url('raw-gpt'), imageType: 'raw' });
    const otherTask = (await c.requestPromised(
      'POST',
      `${base(LEGACY_SERVER)}${other.path}`,
      other.body,
    )) as TaskBody;
    expect((await waitForTask(c, LEGACY_SERVER, otherTask.taskId)).status).toBe('done');

    const osBefore = await serverOs(DEFAULT_SERVER);
    expect(
      await c.requestPromised('POST', `${base(DEFAULT_SERVER)}/task/${task.taskId}/cancel`),
    ).toBeNull();
    const cancelled = await waitForTask(c, DEFAULT_SERVER, task.taskId);
    expect(cancelled.status).toBe('cancelled');
    const after = (await c.requestPromised('GET', `${base(DEFAULT_SERVER)}/install/status`)) as {
      progress: StepBody[];
    };
    expect(after.progress.map((s) => s.status)).toEqual([
      'done',
      'idle',
      'todo',
      'todo',
      'todo',
      'todo',
    ]);
    expect(await serverOs(DEFAULT_SERVER)).toBe(osBefore);
    // The download stopped with the cancel: far less than the 8 MiB image went out.
    const slow = images.requests.find((r) => r.path.startsWith('/slow/'));
    const sent = slow?.bytes ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slow?.bytes).toBe(sent);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(kit.images['raw-gpt'].size);

    // An ended task cannot be cancelled; a new install is accepted.
    const late = await rawCall(sim, 'POST', `${base(DEFAULT_SERVER)}/task/${task.taskId}/cancel`);
    expect(late.status).toBe(400);
    expect(late.body).toEqual({
      class: 'Client::BadRequest',
      message: `Task ${task.taskId} cannot be cancelled: its status is already cancelled`,
    });
    const next = await install(c, DEFAULT_SERVER, { imageURL: url('raw-gpt'), imageType: 'raw' });
    expect(next.task.status).toBe('done');
  });

  it('lists tasks, filtered by function and status; unknown tasks are 404', async () => {
    const ok = await install(c, DEFAULT_SERVER, { imageURL: url('raw-gpt'), imageType: 'raw' });
    const written = sim.admin.server(DEFAULT_SERVER).disk;
    const bad = await install(c, DEFAULT_SERVER, { imageURL: url('iso'), imageType: 'raw' });
    // A failed install leaves the disk as the last good one left it.
    expect(sim.admin.server(DEFAULT_SERVER).disk).toEqual(written);
    expect(written).toMatchObject({ taskId: ok.task.taskId });
    const path = `${base(DEFAULT_SERVER)}/task`;
    expect(await c.requestPromised('GET', path)).toEqual([ok.task.taskId, bad.task.taskId]);
    expect(await c.requestPromised('GET', path, { status: 'customerError' })).toEqual([
      bad.task.taskId,
    ]);
    expect(
      await c.requestPromised('GET', path, { function: 'reinstallServer', status: 'done' }),
    ).toEqual([ok.task.taskId]);
    expect(await c.requestPromised('GET', path, { function: 'hardReboot' })).toEqual([]);
    expect(await c.requestPromised('GET', `${base(LEGACY_SERVER)}/task`)).toEqual([]);
    const wrong = await rawCall(sim, 'GET', `${path}?status=running`);
    expect(wrong.status).toBe(400);
    expect((wrong.body as { message: string }).message).toContain('running is not one of');
    // OVH refuses a function outside dedicated.TaskFunctionEnum the same way.
    const unknown = await rawCall(sim, 'GET', `${path}?function=reinstall`);
    expect(unknown).toMatchObject({
      status: 400,
      body: {
        class: 'Client::BadRequest',
        message: `Invalid value for parameter function: reinstall is not one of ${TASK_FUNCTIONS.join(', ')}`,
      },
    });
    expect((await rawCall(sim, 'GET', `${path}?function=hardReboot&status=running`)).status).toBe(
      400,
    );
    const missing = await rawCall(sim, 'GET', `${path}/42`);
    expect(missing).toMatchObject({
      status: 404,
      body: {
        class: 'Client::NotFound',
        message: 'The requested object (taskId = 42) does not exist',
      },
    });
    expect((await rawCall(sim, 'POST', `${path}/42/cancel`)).status).toBe(404);
  });
});

describe('refused at submit', () => {
  const post = (sn: string, path: string, body: unknown) =>
    rawCall(sim, 'POST', `${base(sn)}${path}`, { body });

  it('an unknown server is 404', async () => {
    const r = installRequest('reinstall', { imageURL: url('raw-gpt'), imageType: 'raw' });
    expect(await post('ns0000000.ip-1-2-3.eu', r.path, r.body)).toMatchObject({
      status: 404,
      body: {
        class: 'Client::NotFound',
        message: 'The requested object (serviceName = ns0000000.ip-1-2-3.eu) does not exist',
      },
    });
  });

  it('an unknown template is 404, a missing one 400', async () => {
    expect(
      await post(DEFAULT_SERVER, '/reinstall', { operatingSystem: 'windows95_64' }),
    ).toMatchObject({
      status: 404,
      body: {
        class: 'Client::NotFound::OperatingSystem',
        message: 'Operating system windows95_64 could not be found',
      },
    });
    const missing = await post(DEFAULT_SERVER, '/install/start', { details: {} });
    expect(missing.status).toBe(400);
    expect((missing.body as { message: string }).message).toContain('templateName');
  });

  it('byoi_64 without an image URL is 400', async () => {
    for (const route of ROUTES) {
      const r = installRequest(route, { imageURL: '', imageType: 'raw' });
      const answer = await post(DEFAULT_SERVER, r.path, r.body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        class: 'Client::BadRequest::CustomizationInvalidFormat',
      });
      expect((answer.body as { message: string }).message).toContain('imageURL is mandatory');
    }
  });

  it('reinstall requires efiBootloaderPath for byoi_64, install/start does not', async () => {
    const r = installRequest('reinstall', {
      imageURL: url('raw-gpt'),
      imageType: 'raw',
      efiBootloaderPath: '',
    });
    const answer = await post(DEFAULT_SERVER, r.path, r.body);
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toBe(
      'Invalid customization format for efiBootloaderPath of type string: efiBootloaderPath is mandatory for operating system byoi_64',
    );
    expect(sim.admin.requests()).toHaveLength(1);
    expect(await c.requestPromised('GET', `${base(DEFAULT_SERVER)}/task`)).toEqual([]);
  });

  it('a body that is not JSON is 400', async () => {
    const answer = await rawCall(sim, 'POST', `${base(DEFAULT_SERVER)}/reinstall`, {
      rawBody: '{"operatingSystem": "byoi_64",',
    });
    expect(answer).toMatchObject({
      status: 400,
      body: { class: 'Client::BadRequest', message: 'Invalid JSON received' },
    });
  });
});
