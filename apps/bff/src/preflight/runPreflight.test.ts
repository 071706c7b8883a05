/**
 * Every check of the preflight against the real image kit (made with qemu-img, sgdisk, …) served by
 * the local image server, with the real guarded client. Hardware comes from the simulator's own
 * server fixtures, through the BFF's mapping.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURES,
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
} from '@byoi/ovh-simulator';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_READS,
  SNIFF_BYTES,
  UPSTREAM_MESSAGES,
  type PreflightCheck,
  type PreflightCheckId,
  type PreflightReport,
  type PreflightRequest,
} from '@byoi/shared';
import { toHardwareDto } from '../servers/mapping.ts';
import type { Resolver } from './addressGuard.ts';
import { createPreflightFetch } from './preflightFetch.ts';
import { runPreflight, type PreflightServer } from './runPreflight.ts';

/** The bootloader the kit's images hold in their EFI system partition. */
const EFI = '\\efi\\debian\\grubx64.efi';

let kit: ImageKit;
let images: ImageServer;
/** Serves raw-gpt.img chunked, without Content-Length (a generated or proxied download). */
let chunked: http.Server;
let chunkedURL = '';

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
  const body = await readFile(kit.images['raw-gpt'].path);
  chunked = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') return res.end();
    res.write(body.subarray(0, 1024 * 1024));
    res.end(body.subarray(1024 * 1024));
  });
  await new Promise<void>((resolve) => chunked.listen(0, '127.0.0.1', resolve));
  chunkedURL = `http://127.0.0.1:${(chunked.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await images.close();
  chunked.closeAllConnections();
  await new Promise((resolve) => chunked.close(resolve));
});

beforeEach(() => images.reset());

function serverNamed(name: string): PreflightServer {
  const fixture = DEFAULT_FIXTURES.find((f) => f.name === name);
  if (!fixture) throw new Error(`no simulator fixture ${name}`);
  return {
    name,
    hardware: toHardwareDto(fixture.hardware),
  };
}

const simulatorFetch = createPreflightFetch({ mode: 'simulator', preflightAllowHosts: [] });

function preflight(
  input: Partial<PreflightRequest> & { imageURL: string },
  server = DEFAULT_SERVER,
  fetch = simulatorFetch,
): Promise<PreflightReport> {
  return runPreflight({ imageType: 'raw', efiBootloaderPath: EFI, ...input }, serverNamed(server), {
    fetch,
  });
}

function check(report: PreflightReport, id: PreflightCheckId, status?: string): PreflightCheck {
  const found = report.checks.find(
    (c) => c.id === id && (status === undefined || c.status === status),
  );
  if (!found)
    throw new Error(
      `no ${id} check${status ? ` with status ${status}` : ''}: ${JSON.stringify(report.checks)}`,
    );
  return found;
}

const url = (path: string) => `${images.url}${path}`;
const servedBytes = () => images.requests.reduce((sum, r) => sum + r.bytes, 0);

describe('reachability', () => {
  it('fails an HTTPS host whose certificate is not trusted, as OVH would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = https.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('never reached'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const imageURL = `https://127.0.0.1:${(server.address() as AddressInfo).port}/image.raw`;
      const report = await preflight({ imageURL });
      const reach = check(report, 'reachability');
      expect(reach.status).toBe('fail');
      expect(reach.sentence).toContain('its certificate is not signed by a trusted authority');
      expect(reach.predictedMessage).toBe(
        'Could not download image: SSL certificate problem: self-signed certificate',
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('passes for a plain image URL and records what the host said', async () => {
    const report = await preflight({ imageURL: url('/images/raw-gpt.img') });
    expect(check(report, 'reachability').status).toBe('pass');
    expect(report.verdict).toBe('pass');
    expect(report.facts).toMatchObject({
      finalURL: url('/images/raw-gpt.img'),
      httpStatus: 206,
      contentLength: kit.images['raw-gpt'].size,
      acceptRanges: true,
    });
    expect(report.predictedMessage).toBeUndefined();
  });

  it('follows up to 5 redirects and says where it ended', async () => {
    const report = await preflight({ imageURL: url('/redirect/5/images/raw-gpt.img') });
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('pass');
    expect(reach.sentence).toContain(`after 5 redirects to ${url('/images/raw-gpt.img')}`);
    expect(report.facts.finalURL).toBe(url('/images/raw-gpt.img'));
  });

  it('fails past 5 redirects, predicting the download failure', async () => {
    const imageURL = url('/redirect/6/images/raw-gpt.img');
    const report = await preflight({ imageURL });
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('fail');
    expect(reach.sentence).toContain('More than 5 redirects');
    expect(reach.predictedMessage).toBe('Could not download image: Maximum (5) redirects followed');
    expect(report.predictedMessage).toBe(reach.predictedMessage);
    expect(check(report, 'format').status).toBe('skipped');
  });

  it('fails a redirect to a forbidden address without connecting to it', async () => {
    const sockets: unknown[] = [];
    const onSocket = (s: unknown) => sockets.push(s);
    const imageURL = url(
      `/redirect-to?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
    );
    subscribe('net.client.socket', onSocket);
    let report: PreflightReport;
    try {
      report = await preflight({ imageURL });
    } finally {
      unsubscribe('net.client.socket', onSocket);
    }
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('fail');
    expect(reach.sentence).toContain(
      '169.254.169.254 is a link-local address (the cloud metadata service)',
    );
    // OVH downloads from the internet: the address the console refused leads nowhere from there.
    expect(reach.predictedMessage).toBe(
      'Could not download image: Failed to connect to 169.254.169.254 port 80: No route to host',
    );
    expect(reach.remedy).toContain('PREFLIGHT_ALLOW_HOSTS');
    // One socket, to the image server's redirect; none to the metadata address.
    expect(sockets).toHaveLength(1);
    expect(images.requests.map((r) => r.path)).toHaveLength(1);
  });

  it('refuses loopback outside simulator mode', async () => {
    const real = createPreflightFetch({ mode: 'real', preflightAllowHosts: [] });
    const report = await preflight({ imageURL: url('/images/raw-gpt.img') }, DEFAULT_SERVER, real);
    expect(check(report, 'reachability').sentence).toContain('127.0.0.1 is a loopback address');
    expect(images.requests).toHaveLength(0);
    const allowed = createPreflightFetch({ mode: 'real', preflightAllowHosts: ['127.0.0.0/8'] });
    const ok = await preflight({ imageURL: url('/images/raw-gpt.img') }, DEFAULT_SERVER, allowed);
    expect(check(ok, 'reachability').status).toBe('pass');
  });

  it('fails a 401 without header: the host needs an HTTP header', async () => {
    const imageURL = url('/auth/images/raw-gpt.img');
    const report = await preflight({ imageURL });
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('fail');
    expect(reach.sentence).toBe(
      'The image host answered HTTP 401 Unauthorized: it needs an HTTP header (e.g. Basic auth).',
    );
    expect(reach.predictedMessage).toBe(
      'Could not download image: The requested URL returned error: 401',
    );
    expect(reach.remedy).toContain('Authorization');
  });

  it('passes with the right header, sends it to the image host only, and never returns it', async () => {
    const report = await preflight({
      imageURL: url('/auth/images/raw-gpt.img'),
      httpHeaders: [{ name: 'Authorization', value: images.authorization }],
    });
    expect(report.verdict).toBe('pass');
    expect(images.requests.every((r) => r.headers.authorization === images.authorization)).toBe(
      true,
    );
    expect(JSON.stringify(report)).not.toContain(images.authorization);
    expect(JSON.stringify(report)).not.toContain(images.authorization.slice(6));
  });

  it('fails a header the host refuses, saying so', async () => {
    const report = await preflight({
      imageURL: url('/auth/images/raw-gpt.img'),
      httpHeaders: [{ name: 'Authorization', value: 'Basic bm9ib2R5Om5vdGhpbmc=' }],
    });
    const reach = check(report, 'reachability');
    expect(reach.sentence).toContain('although the HTTP headers were sent');
    expect(JSON.stringify(report)).not.toContain('bm9ib2R5Om5vdGhpbmc=');
  });

  it.each([
    ['/status/404', 'HTTP 404 Not Found', 'The requested URL returned error: 404'],
    ['/status/503', 'HTTP 503 Service Unavailable', 'The requested URL returned error: 503'],
    ['/drop', 'closed the connection', 'Recv failure: Connection reset by peer'],
  ])('fails %s (%s)', async (path, words, why) => {
    const imageURL = url(path);
    const report = await preflight({ imageURL });
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('fail');
    expect(reach.sentence).toContain(words);
    expect(report.predictedMessage).toBe(`Could not download image: ${why}`);
  });

  it('fails a host that refuses connections', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const report = await preflight({ imageURL: `http://127.0.0.1:${port}/image.raw` });
    expect(check(report, 'reachability').sentence).toContain('refused the connection');
    expect(report.predictedMessage).toBe(
      `Could not download image: Failed to connect to 127.0.0.1 port ${port}: Connection refused`,
    );
  });

  it('passes when HEAD is refused, falling back to the ranged GET', async () => {
    const report = await preflight({ imageURL: url('/no-head/images/raw-gpt.img') });
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('pass');
    expect(reach.sentence).toContain('HEAD was refused with HTTP 405 Method Not Allowed');
    expect(report.facts.contentLength).toBe(kit.images['raw-gpt'].size);
    // HEAD refused, then the ranged GET of the first MiB, then the EFI check's ranged reads.
    expect(images.requests.slice(0, 2).map((r) => [r.method, r.status])).toEqual([
      ['HEAD', 405],
      ['GET', 206],
    ]);
    expect(images.requests.slice(2).every((r) => r.method === 'GET' && r.status === 206)).toBe(
      true,
    );
  });

  it('warns when the host does not accept ranges', async () => {
    const report = await preflight({ imageURL: url('/no-ranges/images/raw-gpt.img') });
    const warn = check(report, 'reachability', 'warn');
    expect(warn.title).toBe('Resumable download');
    expect(warn.sentence).toContain('no Accept-Ranges');
    expect(report.verdict).toBe('warn');
    expect(report.facts.acceptRanges).toBe(false);
    expect(check(report, 'format').status).toBe('pass');
  });
});

describe('bytes read', () => {
  it.each(['raw-big-sparse', 'raw-2g-sparse', 'qcow2-big-virtual'] as const)(
    'reads at most 1 MiB of %s for its format, and only a few more ranges for its disk',
    async (name) => {
      const image = kit.images[name];
      const report = await preflight({
        imageURL: url(`/images/${image.file}`),
        imageType: image.type === 'qcow2' ? 'qcow2' : 'raw',
      });
      expect(check(report, 'format').status).toBe('pass');
      const gets = images.requests.filter((r) => r.method === 'GET');
      expect(gets[0]?.headers.range).toBe(`bytes=0-${SNIFF_BYTES - 1}`);
      // The EFI check's reads are ranged too, within packages/shared's budget.
      expect(gets.every((r) => r.headers.range !== undefined)).toBe(true);
      expect(gets.length).toBeLessThanOrEqual(1 + DEFAULT_MAX_READS);
      expect(servedBytes()).toBeLessThanOrEqual(SNIFF_BYTES + DEFAULT_MAX_BYTES);
    },
  );

  it('hangs up after 1 MiB when the host ignores ranges and sends the whole 4 GiB', async () => {
    const report = await preflight({ imageURL: url('/no-ranges/images/raw-big-sparse.img') });
    expect(check(report, 'format').status).toBe('pass');
    // The server may have pushed a few socket buffers before noticing; never the image.
    await new Promise((r) => setTimeout(r, 100));
    expect(servedBytes()).toBeLessThan(16 * SNIFF_BYTES);
    expect(kit.images['raw-big-sparse'].size).toBeGreaterThan(1000 * SNIFF_BYTES);
  });
});

describe('size', () => {
  it('passes within RAM − 3 GiB and the disk', async () => {
    const report = await preflight({ imageURL: url('/images/raw-gpt.img') });
    const size = check(report, 'size');
    expect(size.status).toBe('pass');
    expect(size.sentence).toContain('fits on /dev/nvme0n1');
  });

  it('fails an image larger than RAM − 3 GiB, from Content-Length', async () => {
    const report = await preflight(
      { imageURL: url('/images/raw-big-sparse.img') },
      SMALL_RAM_SERVER,
    );
    const size = check(report, 'size');
    expect(size.status).toBe('fail');
    expect(size.predictedMessage).toBe(UPSTREAM_MESSAGES.imageTooBigForRam('raw'));
    expect(size.remedy).toContain('qemu-img convert');
    expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.imageTooBigForRam('raw'));
  });

  it('fails a raw image larger than the disk', async () => {
    const image = kit.images['raw-big-sparse'];
    const report = await preflight({ imageURL: url(`/images/${image.file}`) }, SMALL_DISK_SERVER);
    // The disk is sold as 16 MB: 16 000 000 bytes.
    const expected = UPSTREAM_MESSAGES.imageLargerThanDisk(image.size, '/dev/sda', 16_000_000);
    expect(check(report, 'size').predictedMessage).toBe(expected);
    expect(report.predictedMessage).toBe(expected);
  });

  it('fails a qcow2 whose virtual size is larger than the disk, although the file is small', async () => {
    const image = kit.images['qcow2-big-virtual'];
    const report = await preflight(
      { imageURL: url(`/images/${image.file}`), imageType: 'qcow2' },
      SMALL_DISK_SERVER,
    );
    const size = check(report, 'size');
    expect(size.sentence).toContain('(its virtual size)');
    expect(size.predictedMessage).toBe(
      UPSTREAM_MESSAGES.imageLargerThanDisk(64 * 1024 ** 3, '/dev/sda', 16_000_000),
    );
  });

  it('warns when the host does not announce the size', async () => {
    const report = await preflight({ imageURL: `${chunkedURL}/raw-gpt.img` });
    expect(check(report, 'size').status).toBe('warn');
    expect(check(report, 'reachability', 'warn').title).toBe('Image size announced');
    expect(check(report, 'format').status).toBe('pass');
  });
});

describe('format', () => {
  it.each([
    ['raw-gpt', 'raw', 'a raw disk image with a GPT partition table (2 partitions'],
    ['raw-mbr', 'raw', 'a raw disk image with an MBR partition table'],
    ['qcow2', 'qcow2', 'a qcow2 image (version 3'],
    ['qcow2-compressed', 'qcow2', 'a qcow2 image (version 3'],
    ['qcow2-v2', 'qcow2', 'a qcow2 image (version 2'],
  ] as const)('passes %s declared %s', async (name, imageType, words) => {
    const report = await preflight({
      imageURL: url(`/images/${kit.images[name].file}`),
      imageType,
    });
    const format = check(report, 'format');
    expect(format.status).toBe('pass');
    expect(format.sentence).toContain(words);
  });

  it.each(['iso', 'iso-hybrid', 'gzip', 'xz', 'zstd', 'bzip2', 'html', 'text'] as const)(
    'fails %s: not a disk image',
    async (name) => {
      const report = await preflight({ imageURL: url(`/images/${kit.images[name].file}`) });
      const format = check(report, 'format');
      expect(format.status).toBe('fail');
      expect(format.predictedMessage).toBe(UPSTREAM_MESSAGES.badFormat());
      expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.badFormat());
    },
  );

  it('fails an HTML page served with 200 instead of the image', async () => {
    const report = await preflight({ imageURL: url('/html') });
    expect(check(report, 'format').sentence).toContain('points to a web page');
    expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.badFormat());
  });

  it.each([
    ['raw-gpt', 'qcow2', UPSTREAM_MESSAGES.notQcow2('raw'), 'Choose raw'],
    ['raw-nopt', 'qcow2', UPSTREAM_MESSAGES.notQcow2('data'), 'qemu-img info'],
    [
      'qcow2',
      'raw',
      UPSTREAM_MESSAGES.rawNoPartitionTable('QEMU QCOW2 Image (v3)'),
      'Choose qcow2',
    ],
    ['raw-nopt', 'raw', UPSTREAM_MESSAGES.rawNoPartitionTable('data'), 'sgdisk'],
  ] as const)('fails %s declared %s', async (name, imageType, message, remedy) => {
    const report = await preflight({
      imageURL: url(`/images/${kit.images[name].file}`),
      imageType,
    });
    const format = check(report, 'format');
    expect(format.predictedMessage).toBe(message);
    expect(format.remedy).toContain(remedy);
    expect(report.predictedMessage).toBe(message);
  });

  it.each([
    ['qcow2-backing', 'qcow2', UPSTREAM_MESSAGES.writeFailed('qcow2'), 'backing file'],
    ['qcow2-encrypted', 'qcow2', UPSTREAM_MESSAGES.writeFailed('qcow2'), 'encrypted'],
    ['qcow2-corrupt', 'qcow2', UPSTREAM_MESSAGES.writeFailed('qcow2'), 'cannot write'],
    ['raw-gpt-corrupt', 'raw', UPSTREAM_MESSAGES.gptRelocationFailed(), 'CRC'],
  ] as const)('fails %s: it cannot be written', async (name, imageType, message, words) => {
    const report = await preflight({
      imageURL: url(`/images/${kit.images[name].file}`),
      imageType,
    });
    const format = check(report, 'format');
    expect(format.predictedMessage).toBe(message);
    expect(format.sentence).toContain(words);
  });
});

describe('boot mode', () => {
  it.each([
    ['raw-gpt', DEFAULT_SERVER, 'pass', 'can boot in UEFI'],
    ['raw-mbr', LEGACY_SERVER, 'pass', 'legacy BIOS'],
    ['raw-gpt-bios', LEGACY_SERVER, 'pass', 'legacy BIOS'],
    ['raw-gpt-bios', DEFAULT_SERVER, 'warn', 'has no EFI system partition'],
    ['raw-gpt', LEGACY_SERVER, 'warn', 'neither a BIOS boot partition nor MBR boot code'],
    ['qcow2', DEFAULT_SERVER, 'pass', 'read inside the qcow2'],
    ['qcow2-compressed', DEFAULT_SERVER, 'pass', 'can boot in UEFI'],
  ] as const)('%s on %s: %s', async (name, server, status, words) => {
    const image = kit.images[name];
    const report = await preflight(
      {
        imageURL: url(`/images/${image.file}`),
        imageType: image.type === 'qcow2' ? 'qcow2' : 'raw',
      },
      server,
    );
    const boot = check(report, 'bootMode');
    expect(boot.status).toBe(status);
    expect(boot.sentence).toContain(words);
  });
});

describe('EFI bootloader', () => {
  const efi = (report: PreflightReport) => check(report, 'efiBootloader');

  it.each([
    ['raw-gpt', 'raw', '\\efi\\debian\\grubx64.efi', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2', 'qcow2', '\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\BOOT\\BOOTX64.EFI'],
    ['qcow2-compressed', 'qcow2', '/efi/debian/grubx64.efi', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2-zstd', 'qcow2', '\\efi\\debian\\GRUBX64.EFI', '\\EFI\\debian\\grubx64.efi'],
    ['raw-gpt-efi-fallback', 'raw', '\\efi\\boot\\bootx64.efi', '\\EFI\\BOOT\\BOOTX64.EFI'],
  ] as const)('%s holds %s (FAT ignores case)', async (name, imageType, typed, stored) => {
    const report = await preflight({
      imageURL: url(`/images/${kit.images[name].file}`),
      imageType,
      efiBootloaderPath: typed,
    });
    expect(efi(report).status).toBe('pass');
    expect(efi(report).sentence).toContain(stored);
    expect(report.esp?.efiFiles).toContain(stored);
    expect(report.verdict).toBe('pass');
  });

  it('fails a path the image does not hold, before the wipe, suggesting the one it boots', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-gpt.img'),
      efiBootloaderPath: '\\efi\\ubuntu\\shimx64.efi',
    });
    expect(efi(report)).toMatchObject({
      status: 'fail',
      remedy:
        'Set EFI bootloader path to \\EFI\\debian\\grubx64.efi, the bootloader a firmware would start.',
    });
    expect(efi(report).sentence).toContain('\\efi\\ubuntu\\shimx64.efi is not in');
    expect(efi(report).sentence).toContain('FAT12');
    expect(efi(report).predictedMessage).toBeUndefined();
    expect(report.verdict).toBe('fail');
    // OVH itself accepts any path: there is no OVH message to predict.
    expect(report.predictedMessage).toBeUndefined();
    expect(report.esp).toMatchObject({
      status: 'found',
      suggestion: '\\EFI\\debian\\grubx64.efi',
    });
  });

  it('suggests the removable-media fallback when that is all the image has', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-gpt-efi-fallback.img'),
      efiBootloaderPath: undefined,
    });
    expect(efi(report).status).toBe('warn');
    expect(efi(report).remedy).toContain('\\EFI\\BOOT\\BOOTX64.EFI');
    expect(report.esp?.fatType).toBe('FAT32');
  });

  it('fails any path on an EFI system partition without a bootloader', async () => {
    const report = await preflight({ imageURL: url('/images/raw-gpt-efi-empty.img') });
    expect(efi(report).status).toBe('fail');
    expect(efi(report).sentence).toContain('holds no .efi file');
    expect(report.esp).toMatchObject({ fatType: 'FAT16', efiFiles: [], suggestion: null });
  });

  it('fails a path on an image without EFI system partition, on a UEFI server', async () => {
    const report = await preflight({ imageURL: url('/images/raw-gpt-bios.img') });
    expect(efi(report).status).toBe('fail');
    expect(efi(report).sentence).toContain('no EFI system partition');
  });

  it('is not used on a legacy-boot server', async () => {
    const report = await preflight({ imageURL: url('/images/raw-mbr.img') }, LEGACY_SERVER);
    expect(efi(report).status).toBe('skipped');
    expect(report.verdict).toBe('pass');
  });

  it('reads an MBR disk’s 0xEF partition', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-mbr-efi.img'),
      efiBootloaderPath: '\\efi\\ubuntu\\grubx64.efi',
    });
    expect(efi(report).status).toBe('pass');
    expect(report.esp?.suggestion).toBe('\\EFI\\ubuntu\\grubx64.efi');
  });

  it('cannot read the partition without ranges, and says so', async () => {
    const report = await preflight({
      imageURL: url('/no-ranges/images/qcow2.qcow2'),
      imageType: 'qcow2',
    });
    expect(efi(report).status).toBe('warn');
    expect(efi(report).sentence).toContain('does not answer byte ranges');
    expect(report.esp).toBeNull();
  });

  it('reads behind Basic auth with the operator’s header, and never returns it', async () => {
    const report = await preflight({
      imageURL: url('/auth/images/raw-gpt.img'),
      httpHeaders: [{ name: 'Authorization', value: images.authorization }],
    });
    expect(efi(report).status).toBe('pass');
    const gets = images.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(1);
    expect(gets.every((r) => r.headers.authorization === images.authorization)).toBe(true);
    expect(JSON.stringify(report)).not.toContain(images.authorization);
  });
});

describe('checksum', () => {
  const imageURL = () => url('/images/raw-gpt.img');

  it('is skipped without a checksum', async () => {
    const report = await preflight({ imageURL: imageURL() });
    expect(check(report, 'checksum').status).toBe('skipped');
  });

  it('passes a well-formed checksum of the right length', async () => {
    const report = await preflight({
      imageURL: imageURL(),
      imageCheckSum: kit.images['raw-gpt'].sha256,
      imageCheckSumType: 'sha256',
    });
    expect(check(report, 'checksum').status).toBe('pass');
  });

  it('fails a checksum whose length does not match its type', async () => {
    const report = await preflight({
      imageURL: imageURL(),
      imageCheckSum: kit.images['raw-gpt'].md5,
      imageCheckSumType: 'sha256',
    });
    const sum = check(report, 'checksum');
    expect(sum.status).toBe('fail');
    expect(sum.sentence).toContain(
      'A sha256 checksum has 64 hexadecimal characters; this one has 32 (the length of md5)',
    );
  });

  it('predicts the refusal of a checksum without its type', async () => {
    const report = await preflight({
      imageURL: imageURL(),
      imageCheckSum: kit.images['raw-gpt'].sha1,
    });
    const sum = check(report, 'checksum');
    expect(sum.predictedMessage).toBe(UPSTREAM_MESSAGES.checksumPair());
    expect(sum.remedy).toContain('sha1');
    expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.checksumPair());
  });
});

describe('checksum file', () => {
  it("sends the operator's headers to the checksum file only on the image's own origin", async () => {
    const other = await startImageServer({ dir: kit.dir });
    try {
      const headers = [{ name: 'Authorization', value: images.authorization }];
      const imageURL = url('/auth/images/raw-gpt.img');
      await preflight({ imageURL, httpHeaders: headers, checksumFileURL: url('/sums/SHA256SUMS') });
      const sameOrigin = images.requests.find((r) => r.path === '/sums/SHA256SUMS');
      expect(sameOrigin?.headers.authorization).toBe(images.authorization);

      const report = await preflight({
        imageURL,
        httpHeaders: headers,
        checksumFileURL: `${other.url}/sums/SHA256SUMS`,
      });
      expect(report.resolvedChecksum?.checksum).toBe(kit.images['raw-gpt'].sha256);
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('fills checksum and type from a GNU SHA256SUMS file and says which line matched', async () => {
    const image = kit.images['raw-gpt'];
    const report = await preflight({
      imageURL: url(`/images/${image.file}`),
      checksumFileURL: url('/sums/SHA256SUMS'),
    });
    expect(check(report, 'checksumFile').status).toBe('pass');
    expect(check(report, 'checksumFile').sentence).toContain(`${image.sha256}  ${image.file}`);
    expect(report.resolvedChecksum).toEqual({
      checksum: image.sha256,
      type: 'sha256',
      matchedLine: `${image.sha256}  ${image.file}`,
    });
    expect(check(report, 'checksum').status).toBe('pass');
  });

  it('reads a BSD SHA512SUMS file', async () => {
    const image = kit.images.qcow2;
    const report = await preflight({
      imageURL: url(`/images/${image.file}`),
      imageType: 'qcow2',
      checksumFileURL: url('/sums/SHA512SUMS'),
    });
    expect(report.resolvedChecksum).toMatchObject({ checksum: image.sha512, type: 'sha512' });
  });

  it('fails when no line names the image', async () => {
    const report = await preflight({
      imageURL: url('/images/kit.json'),
      checksumFileURL: url('/sums/SHA256SUMS'),
    });
    const file = check(report, 'checksumFile');
    expect(file.status).toBe('fail');
    expect(file.sentence).toBe('No line of the checksum file names kit.json.');
  });

  it('fails when the checksum file cannot be read', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-gpt.img'),
      checksumFileURL: url('/status/404'),
    });
    expect(check(report, 'checksumFile').sentence).toContain('HTTP 404 Not Found');
  });

  it('fails when the typed checksum differs from the file', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-gpt.img'),
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
      checksumFileURL: url('/sums/SHA256SUMS'),
    });
    expect(check(report, 'checksumFile').sentence).toContain(
      'differs from the one the checksum file gives',
    );
  });

  it('refuses a checksum file on a forbidden host without fetching it', async () => {
    const report = await preflight({
      imageURL: url('/images/raw-gpt.img'),
      checksumFileURL: 'http://[::ffff:169.254.169.254]/SHA256SUMS',
    });
    const file = check(report, 'checksumFile');
    expect(file.status).toBe('fail');
    expect(file.sentence).toContain('The checksum file host');
    expect(file.sentence).toContain('the cloud metadata service');
  });
});

describe('the address guard, through the preflight', () => {
  /** Names that resolve to forbidden places; the only DNS of these tests. */
  const zone: Record<string, string> = {
    'intranet.example': '10.1.2.3',
    'metadata.example': '169.254.169.254',
    'loop.example': '127.0.0.1',
    'loop6.example': '::1',
    'mapped.example': '::ffff:192.168.0.10',
    'cgnat.example': '100.100.0.1',
    'ula.example': 'fd00:ec2::254',
  };
  const resolver: Resolver = (host) => {
    const address = zone[host];
    return address
      ? Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }])
      : Promise.reject(new Error('ENOTFOUND'));
  };
  const strict = createPreflightFetch({ mode: 'real', preflightAllowHosts: [] }, { resolver });

  it.each([
    ['http://127.0.0.1/i.img', 'a loopback address'],
    ['http://2130706433/i.img', 'a loopback address'],
    ['http://0177.0.0.1/i.img', 'a loopback address'],
    ['http://0x7f.0.0.1/i.img', 'a loopback address'],
    ['http://127.1/i.img', 'a loopback address'],
    ['http://0.0.0.0/i.img', 'an unspecified address'],
    ['http://10.0.0.1/i.img', 'a private address'],
    ['http://172.20.1.1/i.img', 'a private address'],
    ['http://192.168.1.1/i.img', 'a private address'],
    ['http://3232235777/i.img', 'a private address'],
    ['http://169.254.169.254/latest', 'a link-local address (the cloud metadata service)'],
    ['http://0xa9.0xfe.0xa9.0xfe/latest', 'the cloud metadata service'],
    ['http://100.64.0.1/i.img', 'a carrier-grade NAT (CGNAT) address'],
    ['http://224.0.0.251/i.img', 'a multicast address'],
    ['http://255.255.255.255/i.img', 'a broadcast address'],
    ['http://[::1]/i.img', 'a loopback address'],
    ['http://[::]/i.img', 'an unspecified address'],
    ['http://[fe80::1]/i.img', 'a link-local address'],
    ['http://[fc00::1]/i.img', 'a private (unique local) address'],
    ['http://[ff02::1]/i.img', 'a multicast address'],
    ['http://[::ffff:127.0.0.1]/i.img', 'a loopback address'],
    ['http://[::ffff:10.0.0.1]/i.img', 'a private address'],
    ['http://[64:ff9b::a9fe:a9fe]/i.img', 'the cloud metadata service'],
    ['http://intranet.example/i.img', 'resolves to 10.1.2.3, a private address'],
    ['http://metadata.example/i.img', 'resolves to 169.254.169.254, a link-local address'],
    ['http://loop.example/i.img', 'resolves to 127.0.0.1, a loopback address'],
    ['http://loop6.example/i.img', 'resolves to ::1, a loopback address'],
    ['http://mapped.example/i.img', 'a private address'],
    ['http://cgnat.example/i.img', 'a carrier-grade NAT (CGNAT) address'],
    ['https://ula.example/i.img', 'a private (unique local) address'],
  ])('refuses %s (%s) with no connection made', async (imageURL, words) => {
    const sockets: unknown[] = [];
    const onSocket = (s: unknown) => sockets.push(s);
    subscribe('net.client.socket', onSocket);
    let report: PreflightReport;
    try {
      report = await runPreflight({ imageURL, imageType: 'raw' }, serverNamed(DEFAULT_SERVER), {
        fetch: strict,
      });
    } finally {
      unsubscribe('net.client.socket', onSocket);
    }
    const reach = check(report, 'reachability');
    expect(reach.status).toBe('fail');
    expect(reach.sentence).toContain(words);
    expect(reach.sentence).toContain('the console only fetches public addresses');
    const { hostname, protocol } = new URL(imageURL);
    const port = protocol === 'https:' ? 443 : 80;
    expect(reach.predictedMessage).toBe(
      `Could not download image: Failed to connect to ${hostname.replace(/^\[|\]$/g, '')} port ${port}: No route to host`,
    );
    expect(sockets).toHaveLength(0);
  });
});

describe("the report's predicted message", () => {
  it("is the failure OVH's installer meets first, whatever the order of the checks", async () => {
    // Declared qcow2, a raw image too big for the RAM: the RAM step comes before the format step.
    const report = await preflight(
      { imageURL: url('/images/raw-big-sparse.img'), imageType: 'qcow2' },
      SMALL_RAM_SERVER,
    );
    expect(check(report, 'format').predictedMessage).toBe(UPSTREAM_MESSAGES.notQcow2('raw'));
    expect(check(report, 'size').predictedMessage).toBe(
      UPSTREAM_MESSAGES.imageTooBigForRam('qcow2'),
    );
    expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.imageTooBigForRam('qcow2'));
  });

  it('a checksum without its type is refused at submit, before anything else', async () => {
    const report = await preflight(
      { imageURL: url('/images/raw-big-sparse.img'), imageCheckSum: 'a'.repeat(64) },
      SMALL_RAM_SERVER,
    );
    expect(report.predictedMessage).toBe(UPSTREAM_MESSAGES.checksumPair());
  });
});
