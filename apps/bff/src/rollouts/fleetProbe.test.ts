/**
 * The fleet's one probe against the real image kit (made with qemu-img, sgdisk, mkfs.fat, …) served
 * by the local image server, with the real guarded client; hardware from the simulator's own server
 * fixtures, through the BFF's mapping. The single-server preflight is the reference: a fleet and a
 * server page must say the same of the same image.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURES,
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
} from '@byoi/ovh-simulator';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { UPSTREAM_MESSAGES, type PreflightRequest } from '@byoi/shared';
import { createPreflightFetch } from '../preflight/preflightFetch.ts';
import { runPreflight, type PreflightServer } from '../preflight/runPreflight.ts';
import { toHardwareDto } from '../servers/mapping.ts';
import { probeFleetImage } from './fleetProbe.ts';
import { judgeFleet } from './matrix.ts';

let kit: ImageKit;
let images: ImageServer;

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
}, 300_000);

afterAll(() => images.close());

beforeEach(() => images.reset());

const fetch = createPreflightFetch({ mode: 'simulator', preflightAllowHosts: [] });
const url = (path: string) => `${images.url}${path}`;

/** A simulator fixture's hardware, under a name of the test's own (a fleet has many alike). */
function server(fixture: string, name = fixture): PreflightServer {
  const found = DEFAULT_FIXTURES.find((f) => f.name === fixture);
  if (!found) throw new Error(`no simulator fixture ${fixture}`);
  return { name, hardware: toHardwareDto(found.hardware) };
}

function probe(input: Partial<PreflightRequest> & { imageURL: string }) {
  return probeFleetImage({ imageType: 'raw', ...input }, { fetch });
}

/** The checks a single-server report holds that depend on the server. */
const SERVER_CHECKS = new Set(['size', 'bootMode', 'efiBootloader']);

describe('probeFleetImage', () => {
  it('reads a good qcow2: its type, its sniff, its disk, and the single-server checks', async () => {
    const image = kit.images.qcow2;
    const input: PreflightRequest = {
      imageURL: url(`/images/${image.file}`),
      imageType: 'qcow2',
      efiBootloaderPath: '\\EFI\\BOOT\\BOOTX64.EFI',
    };
    const { image: probed, checks } = await probeFleetImage(input, { fetch });

    expect(probed).toMatchObject({
      status: 'read',
      imageType: 'qcow2',
      bytes: image.size,
      efiBootloaderPath: '\\EFI\\BOOT\\BOOTX64.EFI',
      sniff: { kind: 'qcow2', isDiskImage: true, qcow2: { virtualSize: image.virtualSize } },
      disk: { partitions: { table: 'gpt', uefiCapable: true }, esp: { status: 'found' } },
    });
    if (probed.status !== 'read') throw new Error('read above');
    expect(probed.disk.esp?.efiFiles).toContain('\\EFI\\BOOT\\BOOTX64.EFI');
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['reachability', 'pass'],
      ['checksum', 'skipped'],
      ['format', 'pass'],
    ]);

    const report = await runPreflight(input, server(DEFAULT_SERVER), { fetch });
    expect(checks).toEqual(report.checks.filter((c) => !SERVER_CHECKS.has(c.id)));
  });

  it('fails on an unreachable URL (404) with the reachability check', async () => {
    const { image, checks } = await probe({ imageURL: url('/status/404') });
    expect(image.status).toBe('failed');
    if (image.status !== 'failed') throw new Error('failed above');
    expect(image.check).toMatchObject({ id: 'reachability', status: 'fail' });
    expect(image.check.sentence).toContain('HTTP 404 Not Found');
    expect(image.check.predictedMessage).toContain('The requested URL returned error: 404');
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['reachability', 'fail'],
      ['checksum', 'skipped'],
      ['format', 'skipped'],
    ]);

    const matrix = judgeFleet(image, [server(DEFAULT_SERVER), server(SMALL_DISK_SERVER)]);
    expect(matrix.verdicts.every((v) => v.verdict === 'blocked')).toBe(true);
    expect(matrix.profiles[0]?.reasons).toEqual([
      expect.stringContaining(image.check.predictedMessage ?? '') as string,
    ]);
  });

  it('hands on the checksum a checksum file gave, for the installs', async () => {
    const image = kit.images['raw-gpt'];
    const probed = await probe({
      imageURL: url(`/images/${image.file}`),
      checksumFileURL: url('/sums/SHA256SUMS'),
    });
    expect(probed.image.status).toBe('read');
    expect(probed.resolvedChecksum).toMatchObject({ checksum: image.sha256, type: 'sha256' });
    expect(probed.checks.map((c) => [c.id, c.status])).toEqual([
      ['checksumFile', 'pass'],
      ['reachability', 'pass'],
      ['checksum', 'pass'],
      ['format', 'pass'],
    ]);
    // A rollout page has no Verify checksum to offer: the sentence says what happens instead.
    const checksum = probed.checks.find((c) => c.id === 'checksum');
    expect(checksum?.sentence).not.toContain('Verify checksum');
    expect(checksum?.sentence).toContain('the canary meets a wrong checksum before any batch');
  });

  it('fails on a checksum file that cannot be read, before the image is judged', async () => {
    const { image } = await probe({
      imageURL: url(`/images/${kit.images['raw-gpt'].file}`),
      checksumFileURL: url('/status/404'),
    });
    expect(image).toMatchObject({ status: 'failed', check: { id: 'checksumFile' } });
  });

  it.each([
    ['iso', 'An installer ISO is not a disk image.'],
    ['html', 'not a qcow2 or raw disk image'],
  ] as const)('fails %s with the format reason, whatever the server', async (name, words) => {
    const { image } = await probe({ imageURL: url(`/images/${kit.images[name].file}`) });
    expect(image).toMatchObject({
      status: 'failed',
      check: { id: 'format', status: 'fail', predictedMessage: UPSTREAM_MESSAGES.badFormat() },
    });
    if (image.status !== 'failed') throw new Error('failed above');
    expect(image.check.sentence).toContain(words);

    const matrix = judgeFleet(image, [server(DEFAULT_SERVER), server(SMALL_DISK_SERVER)]);
    expect(matrix.profiles).toHaveLength(2);
    expect(matrix.profiles.every((p) => p.verdict === 'blocked')).toBe(true);
    expect(matrix.profiles[1]?.reasons[0]).toContain(UPSTREAM_MESSAGES.badFormat());
  });

  it('lets judgeFleet block the profile whose disk cannot hold the image, not the other', async () => {
    // 48 MiB raw GPT with \EFI\BOOT\BOOTX64.EFI: fits 2 × 960 GB NVMe, not a 16 MB disk.
    const image = kit.images['raw-gpt-efi-fallback'];
    const { image: probed } = await probe({
      imageURL: url(`/images/${image.file}`),
      efiBootloaderPath: '\\efi\\boot\\bootx64.efi',
    });
    expect(probed.status).toBe('read');

    const fleet = [
      server(DEFAULT_SERVER, 'web-1'),
      server(SMALL_DISK_SERVER, 'tiny-1'),
      server(DEFAULT_SERVER, 'web-2'),
    ];
    const matrix = judgeFleet(probed, fleet);
    expect(matrix.profiles.map((p) => [p.servers, p.verdict])).toEqual([
      [['web-1', 'web-2'], 'ok'],
      [['tiny-1'], 'blocked'],
    ]);
    expect(matrix.profiles[1]?.reasons).toEqual([
      expect.stringContaining(
        UPSTREAM_MESSAGES.imageLargerThanDisk(image.size, '/dev/sda', 16_000_000),
      ) as string,
    ]);
  });

  it('blocks a UEFI profile on an EFI bootloader path the image lacks, as a server page fails it', async () => {
    const input: PreflightRequest = {
      imageURL: url(`/images/${kit.images['raw-gpt'].file}`),
      imageType: 'raw',
      efiBootloaderPath: '\\efi\\ubuntu\\shimx64.efi',
    };
    const { image } = await probeFleetImage(input, { fetch });
    const matrix = judgeFleet(image, [server(DEFAULT_SERVER)]);

    const report = await runPreflight(input, server(DEFAULT_SERVER), { fetch });
    const efi = report.checks.find((c) => c.id === 'efiBootloader');
    expect(efi?.status).toBe('fail');
    expect(matrix.profiles[0]).toMatchObject({ verdict: 'blocked', reasons: [efi?.sentence] });
  });

  it('probes once, as one server’s preflight does, however many servers are judged', async () => {
    const input: PreflightRequest = {
      imageURL: url(`/images/${kit.images.qcow2.file}`),
      imageType: 'qcow2',
      efiBootloaderPath: '\\EFI\\BOOT\\BOOTX64.EFI',
    };
    await runPreflight(input, server(DEFAULT_SERVER), { fetch });
    const oneServer = images.requests.map((r) => [r.method, r.path, r.headers.range]);
    images.reset();

    const { image } = await probeFleetImage(input, { fetch });
    const probed = images.requests.length;
    expect(images.requests.map((r) => [r.method, r.path, r.headers.range])).toEqual(oneServer);
    expect(images.requests.filter((r) => r.method === 'HEAD')).toHaveLength(1);

    const fleet = Array.from({ length: 200 }, (_, i) =>
      server([DEFAULT_SERVER, SMALL_DISK_SERVER, LEGACY_SERVER][i % 3] ?? DEFAULT_SERVER, `s${i}`),
    );
    const matrix = judgeFleet(image, fleet);
    expect(matrix.verdicts).toHaveLength(200);
    expect(matrix.profiles).toHaveLength(3);
    expect(images.requests).toHaveLength(probed);
  });
});
