/**
 * Installs through the BFF, end to end: the real app, node-ovh over HTTPS, the simulator running
 * the install against real images served by the local image server. Both OVH routes are checked
 * against the request body the simulator recorded, and every failure of DESIGN.md's table that an
 * operator's image can cause arrives on the progress screen with its catalog entry.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import {
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
} from '@byoi/ovh-simulator';
import type { InstallProgressDto, InstallResponse } from '@byoi/shared';
import { eventually, fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;
let operator: TestAgent;

beforeAll(async () => {
  [h, kit] = await Promise.all([startHarness(), ensureImages()]);
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

const url = (name: keyof ImageKit['images'], prefix = '/images') =>
  `${images.url}${prefix}/${kit.images[name].file}`;

async function finalProgress(agent: TestAgent, sn: string): Promise<InstallProgressDto> {
  return eventually(async () => {
    const res = await agent.get(`/api/servers/${sn}/install`);
    expect(res.status).toBe(200);
    const body = res.body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
}

const USER_DATA = '#cloud-config\npackages:\n  - nginx\n';
/** The bootloader the kit's images hold (OVH requires the path on the default, reinstall route). */
const EFI = '\\efi\\debian\\grubx64.efi';
const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1c3Rlcm9wc2V4YW1wbGVrZXlmb3J0ZXN0c29ubHkx ops@example';

describe("the seed's install/start route (OVH_INSTALL_ROUTE=install-start)", () => {
  let seedRoute: TestAgent;
  beforeAll(async () => {
    const app = await h.buildApp({ env: { OVH_INSTALL_ROUTE: 'install-start' } });
    seedRoute = await app.signIn(OPERATOR);
  });

  it('installs a raw GPT image with headers, checksum and user data through to done', async () => {
    const form = {
      imageURL: url('raw-gpt', '/auth/images'),
      imageType: 'raw',
      imageCheckSum: kit.images['raw-gpt'].sha256.toUpperCase(),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', value: images.authorization }],
      configDriveUserData: USER_DATA,
      configDriveMetadata: [{ key: 'role', value: 'web' }],
      customHostname: 'web-01.example.com',
      sshKey: SSH_KEY,
    };
    const res = await seedRoute.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form);
    expect(res.status).toBe(202);
    const body = res.body as InstallResponse;
    expect(body.route).toBe('install-start');
    expect(body.task).toMatchObject({ function: 'reinstallServer' });
    expect(typeof body.task.taskId).toBe('number');

    const requests = h.sim.admin.requests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ route: 'install-start', serviceName: DEFAULT_SERVER });
    expect(requests[0]?.body).toEqual({
      details: { customHostname: 'web-01.example.com' },
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: form.imageURL },
        { key: 'imageType', value: 'raw' },
        { key: 'httpHeaders0Key', value: 'Authorization' },
        { key: 'httpHeaders0Value', value: images.authorization },
        { key: 'imageCheckSum', value: kit.images['raw-gpt'].sha256 },
        { key: 'imageCheckSumType', value: 'sha256' },
        { key: 'configDriveUserData', value: Buffer.from(USER_DATA).toString('base64') },
        { key: 'configDriveMetadata0Key', value: 'role' },
        { key: 'configDriveMetadata0Value', value: 'web' },
        { key: 'sshKey', value: SSH_KEY },
      ],
    });

    const done = await finalProgress(seedRoute, DEFAULT_SERVER);
    expect(done.state).toBe('done');
    expect(done.percent).toBe(100);
    expect(done.failure).toBeNull();
    expect(done.task?.taskId).toBe(body.task.taskId);
    expect(done.steps.every((s) => s.status === 'done')).toBe(true);
    // The simulator really fetched the image with the operator's header.
    const fetched = images.requests.find((r) => r.path.startsWith('/auth/images/'));
    expect(fetched?.status).toBe(200);

    // A viewer reads the same progress.
    const viewer = await h.signIn(VIEWER);
    expect((await viewer.get(`/api/servers/${DEFAULT_SERVER}/install`)).body.state).toBe('done');
  });
});

describe('POST /api/servers/:sn/install (reinstall, the default route)', () => {
  it('refuses a second install while one runs with 409, before calling OVH, and cancels it', async () => {
    h.sim.admin.setClockSpeed(1);
    const form = { imageURL: url('qcow2'), imageType: 'qcow2', efiBootloaderPath: EFI };
    expect((await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form)).status).toBe(
      202,
    );
    const again = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INSTALL_IN_PROGRESS');
    expect(again.body.error.message).toContain(`already running on ${DEFAULT_SERVER}`);
    expect(h.sim.admin.requests()).toHaveLength(1);

    const running = await operator.get(`/api/servers/${DEFAULT_SERVER}/install`);
    expect(running.body.state).toBe('running');
    const cancel = await operator.post(`/api/servers/${DEFAULT_SERVER}/install/cancel`).send({});
    expect(cancel.status).toBe(200);
    expect((cancel.body as InstallProgressDto).state).toBe('cancelled');
    const calls = h.sim.admin.calls();
    expect(
      Object.keys(calls).some((k) =>
        /^POST \/dedicated\/server\/[^/]+\/task\/\d+\/cancel$/.test(k),
      ),
    ).toBe(true);
    const again2 = await operator.post(`/api/servers/${DEFAULT_SERVER}/install/cancel`).send({});
    expect(again2.status).toBe(409);
    expect(again2.body.error.code).toBe('INSTALL_NOT_RUNNING');
  });

  it('answers 404 for cancel when nothing was ever installed', async () => {
    const res = await operator.post(`/api/servers/${SMALL_DISK_SERVER}/install/cancel`).send({});
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('nothing to cancel');
  });

  it('sends customizations with headers and metadata as maps, and reaches done', async () => {
    const form = {
      imageURL: url('qcow2'),
      imageType: 'qcow2',
      imageCheckSum: kit.images.qcow2.md5,
      imageCheckSumType: 'md5',
      httpHeaders: [
        { name: 'X-Token', value: 'abc' },
        { name: 'X-Other', value: 'def' },
      ],
      configDriveUserData: '#!/bin/sh\necho hi\n',
      configDriveMetadata: [{ key: 'env', value: 'prod' }],
      customHostname: 'db-02',
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    };
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form);
    expect(res.status).toBe(202);
    expect((res.body as InstallResponse).route).toBe('reinstall');
    const requests = h.sim.admin.requests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ route: 'reinstall', serviceName: DEFAULT_SERVER });
    expect(requests[0]?.body).toEqual({
      operatingSystem: 'byoi_64',
      customizations: {
        imageURL: form.imageURL,
        imageType: 'qcow2',
        imageCheckSum: kit.images.qcow2.md5,
        imageCheckSumType: 'md5',
        httpHeaders: { 'X-Token': 'abc', 'X-Other': 'def' },
        configDriveUserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        // OVH reads config drive metadata here (it ignores the deprecated `properties`).
        configDriveMetadata: { env: 'prod' },
        hostname: 'db-02',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      },
    });
    expect((await finalProgress(operator, DEFAULT_SERVER)).state).toBe('done');
    // …and writes it under `meta` in the config drive's meta_data.json.
    const written = h.sim.admin.server(DEFAULT_SERVER).disk?.configDrive;
    expect(written?.metaData.meta).toEqual({ env: 'prod' });
    expect(written?.userData).toBe('#!/bin/sh\necho hi\n');
  });

  it('requires the EFI bootloader path on this route, before calling OVH', async () => {
    const res = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/install`)
      .send({ imageURL: url('qcow2'), imageType: 'qcow2' });
    expect(res.status).toBe(400);
    expect(fieldsInError(res.body)).toContain('efiBootloaderPath');
    expect(h.sim.admin.requests()).toEqual([]);
  });
});

describe("every failure of DESIGN.md's table reaches the progress screen with its catalog entry", () => {
  const zeros = '0'.repeat(64);
  const cases: {
    name: string;
    server: string;
    form: () => Record<string, unknown>;
    code: string;
    message: () => string;
  }[] = [
    {
      name: 'download fails (404)',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: `${images.url}/status/404`, imageType: 'raw' }),
      code: 'DOWNLOAD_FAILED',
      message: () => 'Could not download image: The requested URL returned error: 404',
    },
    {
      name: 'image larger than RAM − 3 GiB',
      server: SMALL_RAM_SERVER,
      form: () => ({ imageURL: url('raw-2g-sparse'), imageType: 'raw' }),
      code: 'IMAGE_TOO_BIG_FOR_RAM',
      message: () => 'Could not download, raw image is too big to download in memory.',
    },
    {
      name: 'checksum mismatch',
      server: DEFAULT_SERVER,
      form: () => ({
        imageURL: url('raw-gpt'),
        imageType: 'raw',
        imageCheckSum: zeros,
        imageCheckSumType: 'sha256',
      }),
      code: 'CHECKSUM_MISMATCH',
      message: () =>
        `Bad sha256 for downloaded file, got: ${kit.images['raw-gpt'].sha256} while expecting ${zeros}.`,
    },
    {
      name: 'not a disk format (ISO)',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('iso'), imageType: 'raw' }),
      code: 'BAD_FORMAT',
      message: () => 'Bad format image, expected: qcow2, raw.',
    },
    {
      name: 'declared qcow2, is raw',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt'), imageType: 'qcow2' }),
      code: 'NOT_QCOW2',
      message: () => 'image provided format is raw which does not match expected qcow2 format',
    },
    {
      name: 'declared raw, no partition table',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-nopt'), imageType: 'raw' }),
      code: 'RAW_NO_PARTITION_TABLE',
      message: () =>
        'image provided format is not of type raw because no partition table was found. It seems to contain: data',
    },
    {
      name: 'image larger than the disk',
      server: SMALL_DISK_SERVER,
      form: () => ({ imageURL: url('qcow2-big-virtual'), imageType: 'qcow2' }),
      code: 'IMAGE_LARGER_THAN_DISK',
      message: () => 'image provided has a size of',
    },
    {
      name: 'qcow2 with a backing file',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('qcow2-backing'), imageType: 'qcow2' }),
      code: 'WRITE_FAILED',
      message: () => "Can't write qcow2 on disk",
    },
    {
      name: 'raw GPT with a corrupt header',
      server: DEFAULT_SERVER,
      form: () => ({ imageURL: url('raw-gpt-corrupt'), imageType: 'raw' }),
      code: 'GPT_RELOCATION_FAILED',
      message: () => 'Can not move backup GPT data structures to the end of disk.',
    },
  ];

  it.each(cases)('$name → $code', async ({ server, form, code, message }) => {
    const res = await operator
      .post(`/api/servers/${server}/install`)
      .send({ ...form(), efiBootloaderPath: EFI });
    expect(res.status).toBe(202);
    const final = await finalProgress(operator, server);
    expect(final.state).toBe('failed');
    expect(final.failure?.message).toContain(message());
    expect(final.failure?.entry.code).toBe(code);
    expect(final.failure?.entry.meaning.length).toBeGreaterThan(10);
    expect(final.failure?.entry.remedy.length).toBeGreaterThan(10);
  });

  it('the submit-time rows and bad user data never reach OVH: the BFF refuses them per field', async () => {
    const bodies: [Record<string, unknown>, string][] = [
      [{ imageURL: url('raw-gpt'), imageType: 'raw', imageCheckSum: zeros }, 'imageCheckSumType'],
      [
        { imageURL: url('raw-gpt'), imageType: 'raw', imageCheckSumType: 'sha256' },
        'imageCheckSum',
      ],
      [
        {
          imageURL: url('raw-gpt'),
          imageType: 'raw',
          imageCheckSum: zeros,
          imageCheckSumType: 'crc32',
        },
        'imageCheckSumType',
      ],
      [{ imageURL: url('raw-gpt'), imageType: 'vmdk' }, 'imageType'],
      [
        { imageURL: url('raw-gpt'), imageType: 'raw', configDriveUserData: 'just some text' },
        'configDriveUserData',
      ],
    ];
    for (const [body, field] of bodies) {
      const res = await operator.post(`/api/servers/${LEGACY_SERVER}/install`).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsInError(res.body)).toContain(field);
    }
    expect(h.sim.admin.requests()).toEqual([]);
  });
});
