/**
 * The config drive as OVH adds it (only with a config-drive customization; `configDriveMetadata`
 * under `meta` in `meta_data.json`), and the server's `efiBootloaderPath` after a BYOI install.
 * Installs go through the real node-ovh client with real images.
 */
import { buildInstallPayload, byoiFormSchemaFor } from '@byoi/shared';
import { ensureImages, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageServer } from '@byoi/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ROUTES,
  client,
  install,
  plainCall,
  startTrusted,
  waitForTask,
} from '../../test/helpers.ts';
import type { OvhClient, TaskBody } from '../../test/helpers.ts';
import { DEFAULT_FIXTURES, DEFAULT_SERVER, LEGACY_SERVER } from '../fixtures.ts';
import type { ServerFixture } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';
import { buildConfigDrive, needsConfigDrive } from './configDrive.ts';
import type { ByoiSpec } from './spec.ts';

const DEBIAN_EFI = '\\efi\\debian\\grubx64.efi';
const UBUNTU_EFI = '\\efi\\ubuntu\\grubx64.efi';
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ5b2ktY29uc29sZS10ZXN0LWtleS1ub3QtcmVhbA ops@example';

// OVH's current BYOI guide's example body (reinstall), verbatim but for the image, which points
// at a local copy so the test downloads nothing from the internet.
const OVH_EXAMPLE = {
  operatingSystem: 'byoi_64',
  customizations: {
    hostname: 'mon-tux',
    imageURL:
      'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw',
    imageType: 'raw',
    sshKey:
      'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC9xPpdqP3sx2H+gcBm65tJEaUbuifQ1uGkgrWtNY0PRKNNPdy+3yoVOtxk6Vjo4YZ0EU/JhmQfnrK7X7Q5vhqYxmozi0LiTRt0BxgqHJ+4hWTWMIOgr+C2jLx7ZsCReRk+fy5AHr6h0PHQEuXVLXeUy/TDyuY2JPtUZ5jcqvLYgQ== my-nuclear-power-plant',
    efiBootloaderPath: DEBIAN_EFI,
    imageCheckSum:
      '2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa',
    httpHeaders: { Authorization: 'Basic bG9naW46cGFzc3dvcmQ=' },
    imageCheckSumType: 'sha512',
    configDriveUserData:
      'I2Nsb3VkLWNvbmZpZwpzc2hfYXV0aG9yaXplZF9rZXlzOgogIC0gc3NoLXJzYSBBQUFBQjhkallpdz09IG15c2VsZkBteWRvbWFpbi5uZXQKCnVzZXJzOgogIC0gbmFtZTogcGF0aWVudDAKICAgIHN1ZG86IEFMTD0oQUxMKSBOT1BBU1NXRDpBTEwKICAgIGdyb3VwczogdXNlcnMsIHN1ZG8KICAgIHNoZWxsOiAvYmluL2Jhc2gKICAgIGxvY2tfcGFzc3dkOiBmYWxzZQogICAgc3NoX2F1dGhvcml6ZWRfa2V5czoKICAgICAgLSBzc2gtcnNhIEFBQUFCOGRqWWl3PT0gbXlzZWxmQG15ZG9tYWluLm5ldApkaXNhYmxlX3Jvb3Q6IGZhbHNlCnBhY2thZ2VzOgogIC0gdmltCiAgLSB0cmVlCmZpbmFsX21lc3NhZ2U6IFRoZSBzeXN0ZW0gaXMgZmluYWxseSB1cCwgYWZ0ZXIgJFVQVElNRSBzZWNvbmRzCg==',
  },
};

// The seed guide's install/start example, verbatim but for the image and its checksum.
const SEED_SCRIPT = '#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n';

let kit: ImageKit;
let images: ImageServer;
let sim: Simulator;
let c: OvhClient;
let closeSim: () => Promise<void>;

const rawGpt = () => `${images.url}/images/${kit.images['raw-gpt'].file}`;
const base = (sn: string) => `/dedicated/server/${sn}`;
const efiOf = async (sn: string) =>
  ((await c.requestPromised('GET', base(sn))) as { efiBootloaderPath: string | null })
    .efiBootloaderPath;

async function submit(sn: string, path: string, body: unknown): Promise<TaskBody> {
  const started = (await c.requestPromised(
    'POST',
    `${base(sn)}${path}`,
    body as Record<string, unknown>,
  )) as TaskBody;
  return waitForTask(c, sn, started.taskId);
}

async function stepComments(sn: string): Promise<string[]> {
  const status = (await c.requestPromised('GET', `${base(sn)}/install/status`)) as {
    progress: Array<{ comment: string }>;
  };
  return status.progress.map((s) => s.comment);
}

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

describe('needsConfigDrive and buildConfigDrive', () => {
  const fixture = DEFAULT_FIXTURES.find((f) => f.name === DEFAULT_SERVER) as ServerFixture;
  const spec: ByoiSpec = {
    imageURL: 'https://h/a.raw',
    imageType: 'raw',
    httpHeaders: { Authorization: 'Bearer x' },
    configDriveMetadata: {},
  };

  it('adds a config drive only for hostname, sshKey, user data or metadata', () => {
    expect(needsConfigDrive(spec)).toBe(false);
    expect(buildConfigDrive(spec, fixture, 1)).toBeNull();
    // Image customizations and headers do not feed the config drive.
    expect(needsConfigDrive({ ...spec, imageCheckSum: 'a', efiBootloaderPath: DEBIAN_EFI })).toBe(
      false,
    );
    for (const extra of [
      { hostname: 'web1' },
      { sshKey: ED25519 },
      { configDriveUserData: '#!/bin/sh\n' },
      { configDriveMetadata: { role: 'web' } },
    ]) {
      expect(needsConfigDrive({ ...spec, ...extra })).toBe(true);
    }
  });

  it('writes meta_data.json in the OpenStack shape, metadata under meta', () => {
    const drive = buildConfigDrive(
      { ...spec, hostname: 'web1', sshKey: ED25519, configDriveMetadata: { role: 'web' } },
      fixture,
      7,
    );
    expect(drive).toEqual({
      userData: null,
      metaData: {
        uuid: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        hostname: 'web1',
        name: 'web1',
        availability_zone: 'eu-west-gra-a',
        public_keys: { default: ED25519 },
        meta: { role: 'web' },
      },
    });
    // A new install is a new instance for cloud-init.
    const again = buildConfigDrive({ ...spec, hostname: 'web1' }, fixture, 8);
    expect(again?.metaData.uuid).not.toBe(drive?.metaData.uuid);
    expect(buildConfigDrive({ ...spec, hostname: 'web1' }, fixture, 7)?.metaData.uuid).toBe(
      drive?.metaData.uuid,
    );
  });

  it('names the host after the server without a hostname, and has no public_keys without a key', () => {
    const drive = buildConfigDrive({ ...spec, configDriveUserData: '#!/bin/sh\n' }, fixture, 1);
    expect(drive?.userData).toBe('#!/bin/sh\n');
    expect(drive?.metaData).toMatchObject({
      hostname: DEFAULT_SERVER,
      name: DEFAULT_SERVER,
      meta: {},
    });
    expect(drive?.metaData).not.toHaveProperty('public_keys');
  });
});

describe('what a BYOI install writes to the config drive', () => {
  it("OVH's current example (reinstall) → done; user data as text, hostname and key in meta_data.json", async () => {
    const body = structuredClone(OVH_EXAMPLE);
    body.customizations.imageURL = rawGpt();
    body.customizations.imageCheckSum = kit.images['raw-gpt'].sha512;
    expect((await submit(DEFAULT_SERVER, '/reinstall', body)).status).toBe('done');
    expect(await stepComments(DEFAULT_SERVER)).toContain('Creating config drive');
    const drive = sim.admin.server(DEFAULT_SERVER).disk?.configDrive;
    expect(drive?.userData).toBe(
      Buffer.from(OVH_EXAMPLE.customizations.configDriveUserData, 'base64').toString('utf8'),
    );
    expect(drive?.userData).toMatch(/^#cloud-config\nssh_authorized_keys:/);
    expect(drive?.metaData).toMatchObject({
      hostname: 'mon-tux',
      public_keys: { default: OVH_EXAMPLE.customizations.sshKey },
      meta: {},
    });
  });

  it("the seed's example (install/start) → done; its script and hostname on the config drive", async () => {
    const body = {
      details: { customHostname: 'myCustomBYOI' },
      templateName: 'byoi_64',
      userMetadata: [
        { key: 'imageURL', value: rawGpt() },
        { key: 'imageType', value: 'raw' },
        { key: 'httpHeaders0Key', value: 'Authorization' },
        { key: 'httpHeaders0Value', value: 'Basic bG9naW46cGFzc3dvcmQ=' },
        { key: 'imageCheckSum', value: kit.images['raw-gpt'].sha512 },
        { key: 'imageCheckSumType', value: 'sha512' },
        { key: 'configDriveUserData', value: SEED_SCRIPT },
      ],
    };
    expect((await submit(DEFAULT_SERVER, '/install/start', body)).status).toBe('done');
    expect(images.requests[0]?.headers.authorization).toBe('Basic bG9naW46cGFzc3dvcmQ=');
    const drive = sim.admin.server(DEFAULT_SERVER).disk?.configDrive;
    expect(drive).toMatchObject({
      userData: SEED_SCRIPT,
      metaData: { hostname: 'myCustomBYOI', meta: {} },
    });
  });

  for (const route of ROUTES) {
    it(`${route}: the metadata the console's builder sends lands under meta`, async () => {
      const form = byoiFormSchemaFor(route).parse({
        imageURL: rawGpt(),
        imageType: 'raw',
        configDriveMetadata: [
          { key: 'role', value: 'webservers' },
          { key: 'essential', value: 'false' },
        ],
        efiBootloaderPath: DEBIAN_EFI,
      });
      const request = buildInstallPayload(route, form);
      expect((await submit(DEFAULT_SERVER, request.path, request.body)).status).toBe('done');
      expect(await stepComments(DEFAULT_SERVER)).toContain('Creating config drive');
      const drive = sim.admin.server(DEFAULT_SERVER).disk?.configDrive;
      expect(drive?.metaData.meta).toEqual({ role: 'webservers', essential: 'false' });
      expect(drive?.userData).toBeNull();
    });
  }

  it('a hostname alone adds a config drive (no user data)', async () => {
    const { task, steps } = await install(
      c,
      DEFAULT_SERVER,
      { imageURL: rawGpt(), imageType: 'raw', hostname: 'web1' },
      'reinstall',
    );
    expect(task.status).toBe('done');
    expect(steps.map((s) => s.comment)).toContain('Creating config drive');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive).toMatchObject({
      userData: null,
      metaData: { hostname: 'web1', meta: {} },
    });
  });

  it('without any config-drive customization: no step, no config drive', async () => {
    const { task, steps } = await install(
      c,
      DEFAULT_SERVER,
      { imageURL: rawGpt(), imageType: 'raw', httpHeaders: { 'X-Trace': 'a' } },
      'reinstall',
    );
    expect(task.status).toBe('done');
    expect(steps.map((s) => s.comment)).not.toContain('Creating config drive');
    expect(sim.admin.server(DEFAULT_SERVER).disk?.configDrive).toBeNull();
  });

  it('is readable over HTTP through /_sim/servers/:sn', async () => {
    await install(
      c,
      DEFAULT_SERVER,
      { imageURL: rawGpt(), imageType: 'raw', configDriveMetadata: { role: 'db' } },
      'reinstall',
    );
    const answer = await plainCall(sim, 'GET', `/_sim/servers/${DEFAULT_SERVER}`);
    expect(answer.body).toMatchObject({
      disk: { configDrive: { userData: null, metaData: { meta: { role: 'db' } } } },
    });
  });
});

describe('efiBootloaderPath on the server object', () => {
  it('comes from the fixture: the default UEFI server has Debian’s, the legacy one none', async () => {
    expect(await efiOf(DEFAULT_SERVER)).toBe(DEBIAN_EFI);
    expect(await efiOf(LEGACY_SERVER)).toBeNull();
  });

  it('becomes the path of a successful BYOI install; a failed one and install/start without it leave it', async () => {
    const done = await install(
      c,
      DEFAULT_SERVER,
      { imageURL: rawGpt(), imageType: 'raw', efiBootloaderPath: UBUNTU_EFI },
      'reinstall',
    );
    expect(done.task.status).toBe('done');
    expect(await efiOf(DEFAULT_SERVER)).toBe(UBUNTU_EFI);
    expect(sim.admin.server(DEFAULT_SERVER).efiBootloaderPath).toBe(UBUNTU_EFI);

    const failed = await install(
      c,
      DEFAULT_SERVER,
      {
        imageURL: `${images.url}/images/${kit.images.iso.file}`,
        imageType: 'raw',
        efiBootloaderPath: '\\efi\\boot\\bootx64.efi',
      },
      'reinstall',
    );
    expect(failed.task.status).toBe('customerError');
    expect(await efiOf(DEFAULT_SERVER)).toBe(UBUNTU_EFI);

    await install(c, DEFAULT_SERVER, { imageURL: rawGpt(), imageType: 'raw' }, 'install-start');
    expect(await efiOf(DEFAULT_SERVER)).toBe(UBUNTU_EFI);

    await install(
      c,
      LEGACY_SERVER,
      { imageURL: rawGpt(), imageType: 'raw', efiBootloaderPath: DEBIAN_EFI },
      'reinstall',
    );
    expect(await efiOf(LEGACY_SERVER)).toBe(DEBIAN_EFI);

    sim.admin.reset();
    expect(await efiOf(DEFAULT_SERVER)).toBe(DEBIAN_EFI);
    expect(await efiOf(LEGACY_SERVER)).toBeNull();
  });
});
