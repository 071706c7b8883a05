import {
  imageLimitBytes,
  rolloutPlanSchema,
  UPSTREAM_MESSAGES,
  type BootMode,
  type DiskGroupDto,
  type EspReport,
  type HardwareDto,
  type ImageSniff,
  type PartitionInfo,
} from '@byoi/shared';
import { describe, expect, it } from 'vitest';
import { efiBootloaderCheck } from '../preflight/bootChecks.ts';
import type { PreflightServer } from '../preflight/runPreflight.ts';
import { judgeFleet, type ProbedImage } from './matrix.ts';
import { decide, plannedRollout } from './scheduler.ts';

const GiB = 1024 ** 3;

function disks(numberOfDisks: number, diskSizeBytes: number, diskType: string): DiskGroupDto {
  return {
    diskGroupId: 1,
    description: `${numberOfDisks} disks`,
    diskType,
    numberOfDisks,
    diskSizeBytes,
    raidController: null,
  };
}

/** Hardware as servers/mapping.ts maps it: the RAM − 3 GiB limit from the shared model. */
function hardware(ramGiB: number, group: DiskGroupDto | null, bootMode: BootMode): HardwareDto {
  return {
    memoryBytes: ramGiB * GiB,
    imageLimitBytes: imageLimitBytes(ramGiB * GiB),
    bootMode,
    diskGroups: group ? [group] : [],
    description: null,
    processorName: null,
  };
}

const big = () => hardware(64, disks(2, 960e9, 'NVME'), 'uefi');
const smallRam = () => hardware(16, disks(2, 480e9, 'SSD'), 'uefi');
const smallDisk = () => hardware(32, disks(1, 20e9, 'SATA'), 'uefi');
const legacy = () => hardware(64, disks(2, 960e9, 'NVME'), 'legacy');

const FLEET: PreflightServer[] = [
  { name: 'a1', hardware: big() },
  { name: 'b1', hardware: smallRam() },
  { name: 'a2', hardware: big() },
  { name: 'c1', hardware: smallDisk() },
  { name: 'd1', hardware: legacy() },
  { name: 'b2', hardware: smallRam() },
  { name: 'a3', hardware: big() },
];

function partitions(uefiCapable: boolean, legacyCapable: boolean): PartitionInfo {
  return {
    table: 'gpt',
    sectorSize: 512,
    gptHeaderCrcValid: true,
    gptEntriesCrcValid: true,
    diskGuid: null,
    entries: [],
    mbrBootCode: legacyCapable,
    uefiCapable,
    legacyCapable,
  };
}

const IMAGE_BYTES = 20 * GiB;

/** A 20 GiB raw GPT image that boots in UEFI only, as one probe read it. */
function rawImage(
  options: { uefi?: boolean; legacy?: boolean; bytes?: number | null } = {},
): ProbedImage {
  const table = partitions(options.uefi ?? true, options.legacy ?? false);
  const sniff: ImageSniff = {
    kind: 'raw-gpt',
    description: 'DOS/MBR boot sector, GPT partition table',
    isDiskImage: true,
    partitions: table,
  };
  return {
    status: 'read',
    imageType: 'raw',
    bytes: options.bytes === undefined ? IMAGE_BYTES : options.bytes,
    sniff,
    disk: { partitions: table, esp: null, notRead: null },
  };
}

function profile(matrix: ReturnType<typeof judgeFleet>, server: string) {
  const found = matrix.profiles.find((p) => p.servers.includes(server));
  if (!found) throw new Error(`no profile holds ${server}`);
  return found;
}

describe('judgeFleet', () => {
  it('groups servers by identical hardware, in the order they were given, with labels', () => {
    const matrix = judgeFleet(rawImage(), FLEET);
    expect(matrix.profiles.map((p) => [p.label, p.servers])).toEqual([
      ['64 GiB RAM · 2 × 960 GB NVMe · UEFI', ['a1', 'a2', 'a3']],
      ['16 GiB RAM · 2 × 480 GB SSD · UEFI', ['b1', 'b2']],
      ['32 GiB RAM · 1 × 20 GB SATA · UEFI', ['c1']],
      ['64 GiB RAM · 2 × 960 GB NVMe · legacy BIOS', ['d1']],
    ]);
    expect(new Set(matrix.profiles.map((p) => p.key)).size).toBe(4);
    expect(matrix.verdicts.map((v) => v.server)).toEqual(FLEET.map((s) => s.name));
    expect(profile(matrix, 'a1')).toMatchObject({ verdict: 'ok', reasons: [] });
  });

  it('gives the same profile to the same hardware judged twice (stable keys)', () => {
    const first = judgeFleet(rawImage(), FLEET);
    const again = judgeFleet(rawImage(), [...FLEET].reverse());
    expect(again.profiles.map((p) => p.key).sort()).toEqual(
      first.profiles.map((p) => p.key).sort(),
    );
  });

  it('blocks the profile whose RAM − 3 GiB cannot hold the image, with OVH’s message', () => {
    const small = profile(judgeFleet(rawImage(), FLEET), 'b1');
    expect(small.verdict).toBe('blocked');
    expect(small.reasons).toHaveLength(1);
    expect(small.reasons[0]).toContain('at most 13.0 GiB (13958643712 bytes)');
    expect(small.reasons[0]).toContain(UPSTREAM_MESSAGES.imageTooBigForRam('raw'));
  });

  it('blocks the profile whose target disk is smaller than the image, with OVH’s message', () => {
    const small = profile(judgeFleet(rawImage(), FLEET), 'c1');
    expect(small.verdict).toBe('blocked');
    expect(small.reasons).toEqual([
      expect.stringContaining(
        UPSTREAM_MESSAGES.imageLargerThanDisk(IMAGE_BYTES, '/dev/sda', 20e9),
      ) as string,
    ]);
  });

  it('blocks a legacy-boot server for a UEFI-only image, not for one that boots both ways', () => {
    const uefiOnly = profile(judgeFleet(rawImage(), FLEET), 'd1');
    expect(uefiOnly.verdict).toBe('blocked');
    expect(uefiOnly.reasons).toEqual([expect.stringContaining('legacy BIOS mode') as string]);

    const both = judgeFleet(rawImage({ legacy: true }), FLEET);
    expect(profile(both, 'd1')).toMatchObject({ verdict: 'ok', reasons: [] });
  });

  it('lists every reason of a profile that fails several rules', () => {
    const tiny = hardware(8, disks(1, 10e9, 'SATA'), 'legacy');
    const matrix = judgeFleet(rawImage(), [{ name: 'x1', hardware: tiny }]);
    expect(matrix.profiles[0]?.reasons).toHaveLength(3);
    expect(matrix.verdicts[0]).toEqual({
      server: 'x1',
      verdict: 'blocked',
      reason: matrix.profiles[0]?.reasons.join(' '),
    });
  });

  it('does not block on size when the host hides it', () => {
    const matrix = judgeFleet(rawImage({ bytes: null }), FLEET);
    expect(profile(matrix, 'b1').verdict).toBe('ok');
    expect(profile(matrix, 'c1').verdict).toBe('ok');
    expect(profile(matrix, 'd1').verdict).toBe('blocked');
  });

  it('blocks a UEFI profile whose image lacks the EFI bootloader path, not a legacy one', () => {
    const esp: EspReport = {
      status: 'found',
      partition: { index: 1, offsetBytes: 1024 * 1024, sizeBytes: 100 * 1024 * 1024 },
      fatType: 'FAT16',
      efiFiles: ['\\EFI\\BOOT\\BOOTX64.EFI'],
      truncated: false,
      suggestion: '\\EFI\\BOOT\\BOOTX64.EFI',
      problem: null,
    };
    const withEsp = (efiBootloaderPath: string): ProbedImage => {
      const image = rawImage({ legacy: true });
      if (image.status !== 'read') throw new Error('rawImage is read');
      return { ...image, efiBootloaderPath, disk: { ...image.disk, esp } };
    };
    const servers = [
      { name: 'a1', hardware: big() },
      { name: 'd1', hardware: legacy() },
    ];

    const missing = judgeFleet(withEsp('\\EFI\\debian\\grubx64.efi'), servers);
    const sentence = efiBootloaderCheck('\\EFI\\debian\\grubx64.efi', big(), {
      partitions: null,
      esp,
      notRead: null,
    }).sentence;
    expect(profile(missing, 'a1')).toMatchObject({ verdict: 'blocked', reasons: [sentence] });
    expect(sentence).toContain('the server would not start');
    expect(profile(missing, 'd1')).toMatchObject({ verdict: 'ok', reasons: [] });

    const present = judgeFleet(withEsp('/efi/boot/bootx64.efi'), servers);
    expect(present.profiles.every((p) => p.verdict === 'ok')).toBe(true);
  });

  it('blocks every server with the one reason when the image probe failed', () => {
    const image: ProbedImage = {
      status: 'failed',
      check: {
        id: 'reachability',
        status: 'fail',
        title: 'Image URL reachable',
        sentence: 'The image host answered 404 Not Found: OVH’s download would fail the same way.',
        predictedMessage: UPSTREAM_MESSAGES.downloadFailed('404 Not Found'),
      },
    };
    const matrix = judgeFleet(image, FLEET);
    expect(matrix.profiles).toHaveLength(4);
    const reasons = new Set(matrix.profiles.flatMap((p) => p.reasons));
    expect(reasons.size).toBe(1);
    const [reason] = [...reasons];
    expect(reason).toContain('404 Not Found');
    expect(reason).toContain(UPSTREAM_MESSAGES.downloadFailed('404 Not Found'));
    expect(matrix.verdicts.every((v) => v.verdict === 'blocked' && v.reason === reason)).toBe(true);
  });

  it('blocks every server when the file is not a disk image at all', () => {
    const image: ProbedImage = {
      status: 'read',
      imageType: 'raw',
      bytes: 2048,
      sniff: { kind: 'html', description: 'HTML document', isDiskImage: false },
      disk: { partitions: null, esp: null, notRead: 'The file is not a disk image.' },
    };
    const matrix = judgeFleet(image, FLEET);
    expect(matrix.profiles.every((p) => p.verdict === 'blocked')).toBe(true);
    expect(matrix.profiles[0]?.reasons).toEqual([
      expect.stringContaining(UPSTREAM_MESSAGES.badFormat()) as string,
    ]);
  });

  describe('feeds the scheduler', () => {
    function checking(onBlocked: 'skip' | 'refuse') {
      const plan = rolloutPlanSchema.parse({ batchSize: 2, maxInFlight: 2, canary: 1, onBlocked });
      const checked = decide(
        plannedRollout(
          plan,
          FLEET.map((s) => s.name),
        ),
        { kind: 'check', at: 1 },
      );
      const { verdicts } = judgeFleet(rawImage(), FLEET);
      return decide(checked.rollout, { kind: 'preflightDone', at: 2, verdicts });
    }

    it('accepts the verdicts and blocks the servers the matrix blocked', () => {
      const done = checking('skip');
      expect(done.error).toBeUndefined();
      const blocked = done.rollout.servers.filter((s) => s.state === 'blocked').map((s) => s.name);
      expect(blocked).toEqual(['b1', 'c1', 'd1', 'b2']);
      expect(done.rollout.servers.find((s) => s.name === 'c1')?.message).toContain('/dev/sda');
      expect(decide(done.rollout, { kind: 'start', at: 3 }).error).toBeUndefined();
    });

    it('refuses to start with blocked servers when the operator chose refuse', () => {
      const done = checking('refuse');
      expect(done.error).toBeUndefined();
      expect(decide(done.rollout, { kind: 'start', at: 3 }).error?.code).toBe('blockedServers');
    });
  });
});
