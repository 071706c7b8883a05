/**
 * DESIGN.md's failure table, row by row, with real images (made by qemu-img, sgdisk, sfdisk,
 * genisoimage, gzip…) served over HTTP by a local image server, installed through the real
 * node-ovh client. Messages are written out verbatim here, not imported, so a drift shows.
 */
import { execFile } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ensureImages, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageName, ImageServer } from '@byoi/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ROUTES,
  client,
  install,
  installRequest,
  rawCall,
  startTrusted,
} from '../../test/helpers.ts';
import type { ByoiFields, OvhClient, Route } from '../../test/helpers.ts';
import { DEFAULT_SERVER, SMALL_DISK_SERVER, SMALL_RAM_SERVER } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';

let kit: ImageKit;
let images: ImageServer;
let sim: Simulator;
let c: OvhClient;
let closeSim: () => Promise<void>;
/** A port where nothing listens, and one where a server accepts and never answers. */
let refusedPort: number;
let silent: net.Server;
/** Serves a 24 MiB raw GPT image made here: more than the small-disk server's 16 MiB disk. */
let scratch: string;
let scratchImages: ImageServer;
const RAW_24M = 24 * 1024 * 1024;
const silentSockets = new Set<net.Socket>();

const url = (name: ImageName, prefix = '') =>
  `${images.url}${prefix}/images/${kit.images[name].file}`;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
  ({ sim, close: closeSim } = await startTrusted({ clockSpeed: 1000, downloadTimeoutMs: 400 }));
  c = client(sim);
  refusedPort = await freePort();
  scratch = await fsp.mkdtemp(path.join(tmpdir(), 'byoi-sim-disk-'));
  const raw = path.join(scratch, 'raw-24m.img');
  await fsp.writeFile(raw, '');
  await fsp.truncate(raw, RAW_24M);
  await promisify(execFile)('sgdisk', ['--new=1:2048:0', '--typecode=1:8300', raw]);
  scratchImages = await startImageServer({ dir: scratch });
  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await images.close();
  await scratchImages.close();
  await fsp.rm(scratch, { recursive: true, force: true });
  await closeSim();
});

beforeEach(() => {
  images.reset();
});

/** Installs and expects `customerError` with `message`, on the failing step; the server's OS untouched. */
async function expectFailure(
  serviceName: string,
  fields: ByoiFields,
  message: string,
  route: Route = 'install-start',
): Promise<void> {
  const before = (await c.requestPromised('GET', `/dedicated/server/${serviceName}`)) as {
    os: string;
  };
  const { task, steps } = await install(c, serviceName, fields, route);
  expect(task).toMatchObject({ function: 'reinstallServer', status: 'customerError' });
  expect(task.comment).toBe(message);
  const failed = steps.filter((s) => s.status === 'error');
  expect(failed).toEqual([
    { comment: expect.any(String) as string, status: 'error', error: message },
  ]);
  const index = steps.findIndex((s) => s.status === 'error');
  expect(steps.slice(0, index).every((s) => s.status === 'done')).toBe(true);
  expect(steps.slice(index + 1).every((s) => s.status === 'todo')).toBe(true);
  const after = (await c.requestPromised('GET', `/dedicated/server/${serviceName}`)) as {
    os: string;
  };
  expect(after.os).toBe(before.os);
}

describe('1. refused at submit (HTTP 400, no task)', () => {
  const cases: Array<[string, Partial<ByoiFields>, string]> = [
    [
      'a checksum without its type',
      { imageCheckSum: 'a'.repeat(64) },
      'Please provide checkSum AND checkSumType or none of them',
    ],
    [
      'a checksum type without a checksum',
      { imageCheckSumType: 'sha256' },
      'Please provide checkSum AND checkSumType or none of them',
    ],
    [
      'a checksum type OVH does not know',
      { imageCheckSum: 'a'.repeat(8), imageCheckSumType: 'crc32' },
      'Bad checkSumType, expected: sha1, sha256, md5.',
    ],
    [
      'an image type other than qcow2/raw',
      { imageType: 'vmdk' },
      'Bad format image, expected: qcow2, raw.',
    ],
  ];
  for (const route of ROUTES) {
    for (const [what, fields, message] of cases) {
      it(`${route}: ${what}`, async () => {
        const request = installRequest(route, {
          imageURL: `${images.url}/images/${kit.images['raw-gpt'].file}`,
          imageType: 'raw',
          ...fields,
        });
        const answer = await rawCall(
          sim,
          'POST',
          `/dedicated/server/${DEFAULT_SERVER}${request.path}`,
          {
            body: request.body,
          },
        );
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ class: 'Client::BadRequest', message });
        const tasks = await c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/task`);
        expect(tasks).toEqual([]);
        expect(images.requests).toEqual([]);
      });
    }
  }
});

describe('2. download', () => {
  // OVH's wording of today: the reason, in curl's words (the seed named the URL instead).
  const downloadFailed = (why: string) => `Could not download image: ${why}`;

  it('an HTTP 404 fails with the download message', async () => {
    const u = `${images.url}/images/no-such-image.img`;
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed('The requested URL returned error: 404'),
    );
    expect(images.requests.map((r) => r.status)).toEqual([404]);
  });

  it('an HTTP 503 (after a redirect) fails with the download message', async () => {
    const u = `${images.url}/redirect-to?url=${encodeURIComponent(`${images.url}/status/503`)}`;
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'qcow2' },
      downloadFailed('The requested URL returned error: 503'),
    );
  });

  it('a refused port fails with the download message', async () => {
    const u = `http://127.0.0.1:${refusedPort}/images/raw-gpt.img`;
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed(`Failed to connect to 127.0.0.1 port ${refusedPort}: Connection refused`),
      'reinstall',
    );
  });

  it('a host that accepts and never answers times out with the download message', async () => {
    const { port } = silent.address() as AddressInfo;
    const u = `http://127.0.0.1:${port}/images/raw-gpt.img`;
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed('Operation timed out'),
    );
  });

  it('a host name that does not resolve fails with the download message', async () => {
    const u = 'http://byoi-image-host.invalid/images/raw-gpt.img';
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed('Could not resolve host: byoi-image-host.invalid'),
    );
  });

  it('a dropped connection fails with the download message', async () => {
    const u = `${images.url}/drop`;
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed('Recv failure: Connection reset by peer'),
    );
  });

  it('more than 5 redirects fails like curl -L --max-redirs 5', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('raw-gpt', '/redirect/6'), imageType: 'raw' },
      downloadFailed('Maximum (5) redirects followed'),
    );
    expect(images.requests).toHaveLength(6);
  });

  it('a Basic-auth URL without the header is a 401: the download message', async () => {
    const u = url('raw-gpt', '/auth');
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw' },
      downloadFailed('The requested URL returned error: 401'),
    );
    expect(images.requests).toMatchObject([{ status: 401 }]);
    expect(images.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('a Basic-auth URL with a wrong header value is a 401 too', async () => {
    const u = url('raw-gpt', '/auth');
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: u, imageType: 'raw', httpHeaders: { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' } },
      downloadFailed('The requested URL returned error: 401'),
      'reinstall',
    );
  });

  it('an image larger than RAM − 3 GiB (by Content-Length) fails with the RAM message, fetching almost nothing', async () => {
    await expectFailure(
      SMALL_RAM_SERVER,
      { imageURL: url('raw-2g-sparse'), imageType: 'raw' },
      'Could not download, raw image is too big to download in memory.',
    );
    expect(images.bytesServed()).toBeLessThan(16 * 1024 * 1024);
  });

  it('the RAM message names the declared type', async () => {
    await expectFailure(
      SMALL_RAM_SERVER,
      { imageURL: url('raw-big-sparse'), imageType: 'qcow2' },
      'Could not download, qcow2 image is too big to download in memory.',
      'reinstall',
    );
  });
});

describe('3. checksum', () => {
  it('a wrong sha256 fails with both digests', async () => {
    const image = kit.images['raw-gpt'];
    const expected = kit.images.qcow2.sha256;
    await expectFailure(
      DEFAULT_SERVER,
      {
        imageURL: url('raw-gpt'),
        imageType: 'raw',
        imageCheckSum: expected,
        imageCheckSumType: 'sha256',
      },
      `Bad sha256 for downloaded file, got: ${image.sha256} while expecting ${expected}.`,
    );
  });

  it('a wrong md5 (upper-case as typed) fails, expected shown lower-case', async () => {
    const image = kit.images.qcow2;
    const expected = kit.images['raw-mbr'].md5;
    await expectFailure(
      DEFAULT_SERVER,
      {
        imageURL: url('qcow2'),
        imageType: 'qcow2',
        imageCheckSum: expected.toUpperCase(),
        imageCheckSumType: 'md5',
      },
      `Bad md5 for downloaded file, got: ${image.md5} while expecting ${expected}.`,
      'reinstall',
    );
  });

  it('is checked before the format: a wrong checksum on an ISO gives the checksum message', async () => {
    const iso = kit.images.iso;
    const expected = '0'.repeat(40);
    await expectFailure(
      DEFAULT_SERVER,
      {
        imageURL: url('iso'),
        imageType: 'raw',
        imageCheckSum: expected,
        imageCheckSumType: 'sha1',
      },
      `Bad sha1 for downloaded file, got: ${iso.sha1} while expecting ${expected}.`,
    );
  });
});

describe('4. format', () => {
  const badFormat = 'Bad format image, expected: qcow2, raw.';
  const nonDisk: ImageName[] = ['iso', 'iso-hybrid', 'gzip', 'xz', 'zstd', 'bzip2', 'html', 'text'];
  for (const name of nonDisk) {
    it(`${name} is not a disk image: ${badFormat}`, async () => {
      await expectFailure(DEFAULT_SERVER, { imageURL: url(name), imageType: 'raw' }, badFormat);
    });
  }

  it('an HTML page answered with 200 (a login page) is refused as a format', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: `${images.url}/html`, imageType: 'qcow2' },
      badFormat,
      'reinstall',
    );
  });

  it('declared qcow2, got a raw GPT disk', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('raw-gpt'), imageType: 'qcow2' },
      'image provided format is raw which does not match expected qcow2 format',
    );
  });

  it('declared qcow2, got bytes with no structure', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('raw-nopt'), imageType: 'qcow2' },
      'image provided format is data which does not match expected qcow2 format',
    );
  });

  it('declared raw, got a qcow2', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('qcow2'), imageType: 'raw' },
      'image provided format is not of type raw because no partition table was found. It seems to contain: QEMU QCOW2 Image (v3)',
      'reinstall',
    );
  });

  it('declared raw, got a qcow2 v2', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('qcow2-v2'), imageType: 'raw' },
      'image provided format is not of type raw because no partition table was found. It seems to contain: QEMU QCOW2 Image (v2)',
    );
  });

  it('declared raw, no partition table', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('raw-nopt'), imageType: 'raw' },
      'image provided format is not of type raw because no partition table was found. It seems to contain: data',
    );
  });
});

describe('5. size against the disk', () => {
  it('a qcow2 whose virtual size exceeds the disk', async () => {
    const disk = 16_000_000;
    await expectFailure(
      SMALL_DISK_SERVER,
      { imageURL: url('qcow2-big-virtual'), imageType: 'qcow2' },
      `image provided has a size of ${64 * 1024 ** 3} bytes which is larger than /dev/sda of ${disk} bytes`,
    );
  });

  it('a raw image larger than the disk', async () => {
    await expectFailure(
      SMALL_DISK_SERVER,
      { imageURL: `${scratchImages.url}/images/raw-24m.img`, imageType: 'raw' },
      `image provided has a size of ${RAW_24M} bytes which is larger than /dev/sda of 16000000 bytes`,
      'reinstall',
    );
  });

  it('an image smaller than the disk passes the size rule', async () => {
    const { task } = await install(c, SMALL_DISK_SERVER, {
      imageURL: url('raw-gpt'),
      imageType: 'raw',
    });
    expect(task.status).toBe('done');
  });
});

describe('6. write', () => {
  for (const name of ['qcow2-backing', 'qcow2-encrypted', 'qcow2-corrupt'] as const) {
    it(`${name}: Can't write qcow2 on disk`, async () => {
      await expectFailure(
        DEFAULT_SERVER,
        { imageURL: url(name), imageType: 'qcow2' },
        "Can't write qcow2 on disk",
      );
    });
  }

  it('a raw GPT with a broken header CRC', async () => {
    await expectFailure(
      DEFAULT_SERVER,
      { imageURL: url('raw-gpt-corrupt'), imageType: 'raw' },
      'Can not move backup GPT data structures to the end of disk.',
      'reinstall',
    );
  });
});

describe('7. config drive', () => {
  const message = 'Could not create configdrive on disk.';
  const cases: Array<[string, string]> = [
    ['plain text that is neither cloud-config nor a script', 'hello, server'],
    ['#cloud-config that is not YAML', '#cloud-config\nusers: [unclosed\n  - x: :'],
    ['#cloud-config that is a YAML list, not a mapping', '#cloud-config\n- a\n- b\n'],
    ['base64 of plain text', Buffer.from('just some words\n').toString('base64')],
  ];
  for (const [what, userData] of cases) {
    it(what, async () => {
      await expectFailure(
        DEFAULT_SERVER,
        { imageURL: url('raw-gpt'), imageType: 'raw', configDriveUserData: userData },
        message,
      );
    });
  }
});

describe('one image, one message: the first failing rule wins', () => {
  it('a too-big image with bad user data gets the RAM message, not the config drive one', async () => {
    await expectFailure(
      SMALL_RAM_SERVER,
      { imageURL: url('raw-2g-sparse'), imageType: 'qcow2', configDriveUserData: 'nonsense' },
      'Could not download, qcow2 image is too big to download in memory.',
    );
  });

  it('a qcow2 too big for the disk, with bad user data, gets the disk message', async () => {
    await expectFailure(
      SMALL_DISK_SERVER,
      { imageURL: url('qcow2-big-virtual'), imageType: 'qcow2', configDriveUserData: 'nonsense' },
      `image provided has a size of ${64 * 1024 ** 3} bytes which is larger than /dev/sda of 16000000 bytes`,
    );
  });
});
