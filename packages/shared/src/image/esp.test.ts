import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { ensureImages, fileSource, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageName, ImageServer } from '@byoi/test-kit';
import { decompress as zstdDecompress } from 'fzstd';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_READS, boundedSource, memorySource } from './byteSource.ts';
import type { ByteSource, ReadBudget, ReadStats } from './byteSource.ts';
import {
  MAX_EFI_FILES,
  OVH_BOOTLOADER_EXAMPLES,
  findEfiPath,
  readEsp,
  suggestBootloader,
} from './esp.ts';
import type { EspLimits, EspReport } from './esp.ts';
import { readPartitionTable } from './partitions.ts';
import type { PartitionInfo } from './partitions.ts';
import { Qcow2DiskError, openQcow2Disk } from './qcow2Disk.ts';
import type { Decompress } from './qcow2Disk.ts';

const MiB = 1024 * 1024;
/** Enough of the disk for a GPT on 512- or 4096-byte sectors. */
const HEAD_BYTES = 64 * 1024;

let kit: ImageKit;

beforeAll(async () => {
  kit = await ensureImages();
});

const decompress: Decompress = (kind, data, clusterSize) =>
  Promise.resolve(
    kind === 'zlib'
      ? new Uint8Array(inflateRawSync(data, { maxOutputLength: clusterSize }))
      : zstdDecompress(data, new Uint8Array(clusterSize)),
  );

/** Real HTTP Range requests with fetch; the length comes from a HEAD request. */
async function httpSource(url: string): Promise<ByteSource> {
  const head = await fetch(url, { method: 'HEAD' });
  const size = Number(head.headers.get('content-length'));
  return {
    size,
    async read(offset, length) {
      if (length === 0 || offset >= size) return new Uint8Array(0);
      const range = `bytes=${offset}-${offset + length - 1}`;
      const res = await fetch(url, { headers: { Range: range } });
      if (res.status !== 206) throw new Error(`Range ${range} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

interface Inspection {
  report: EspReport | null;
  partitions: PartitionInfo | null;
  error: Qcow2DiskError | null;
  stats: ReadStats;
}

/** What a console does with an image URL: budgeted reads, the qcow2 layer if any, the table, the ESP. */
async function inspect(
  name: ImageName,
  options: { source?: ByteSource; budget?: ReadBudget; limits?: EspLimits } = {},
): Promise<Inspection> {
  const fixture = kit.images[name];
  const file = boundedSource(options.source ?? (await fileSource(fixture.path)), options.budget);
  try {
    const disk = fixture.type === 'qcow2' ? await openQcow2Disk(file, { decompress }) : file;
    const partitions = readPartitionTable(await disk.read(0, HEAD_BYTES));
    const report = partitions ? await readEsp(disk, partitions, options.limits) : null;
    return { report, partitions, error: null, stats: file.stats() };
  } catch (err) {
    if (!(err instanceof Qcow2DiskError)) throw err;
    return { report: null, partitions: null, error: err, stats: file.stats() };
  }
}

async function reportOf(name: ImageName, options?: Parameters<typeof inspect>[1]) {
  const { report } = await inspect(name, options);
  if (!report) throw new Error(`${name} has no partition table`);
  return report;
}

const caseInsensitive = (a: string, b: string) =>
  a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0;

const FAT_IMAGES = [
  'raw-gpt',
  'raw-gpt-corrupt',
  'raw-gpt-efi-fallback',
  'raw-gpt-efi-empty',
  'raw-mbr-efi',
  'qcow2',
  'qcow2-compressed',
  'qcow2-zstd',
  'qcow2-v2',
  'qcow2-zero-clusters',
] as const;

describe('readEsp on the kit images', () => {
  it.each(FAT_IMAGES)(
    '%s: finds the ESP and lists the .efi files the recipe wrote',
    async (name) => {
      const esp = kit.images[name].esp!;
      const report = await reportOf(name);
      expect(report).toMatchObject({
        status: 'found',
        partition: { index: esp.partition, offsetBytes: esp.offsetBytes, sizeBytes: esp.sizeBytes },
        fatType: esp.fatType,
        truncated: false,
        problem: null,
      });
      expect([...report.efiFiles].sort()).toEqual([...esp.efiFiles].sort());
      expect(report.efiFiles).toEqual([...report.efiFiles].sort(caseInsensitive));
    },
  );

  it.each([
    ['raw-gpt', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2-compressed', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2-zstd', '\\EFI\\debian\\grubx64.efi'],
    ['qcow2-v2', '\\EFI\\debian\\grubx64.efi'],
    ['raw-gpt-efi-fallback', '\\EFI\\BOOT\\BOOTX64.EFI'],
    ['raw-mbr-efi', '\\EFI\\ubuntu\\grubx64.efi'],
    ['raw-gpt-efi-empty', null],
  ] as const)('%s: suggests %s', async (name, suggestion) => {
    expect((await reportOf(name)).suggestion).toBe(suggestion);
  });

  it('finds a typed path whatever its case or separators, and nothing for a missing one', async () => {
    const { efiFiles } = await reportOf('raw-gpt');
    expect(findEfiPath(efiFiles, '\\efi\\debian\\grubx64.efi')).toBe('\\EFI\\debian\\grubx64.efi');
    expect(findEfiPath(efiFiles, '/EFI/DEBIAN/GRUBX64.EFI')).toBe('\\EFI\\debian\\grubx64.efi');
    expect(findEfiPath(efiFiles, '\\efi\\boot\\bootx64.efi')).toBe('\\EFI\\BOOT\\BOOTX64.EFI');
    expect(findEfiPath(efiFiles, '\\efi\\debian\\shimx64.efi')).toBeNull();
  });

  it('reads the ESP of an MBR disk from its 0xEF partition', async () => {
    const { report, partitions } = await inspect('raw-mbr-efi');
    expect(partitions).toMatchObject({ table: 'mbr', sectorSize: 512 });
    expect(partitions?.entries.map((e) => e.type)).toEqual(['0xef', '0x83']);
    expect(report?.fatType).toBe('FAT16');
  });

  it('says when a disk has no EFI system partition', async () => {
    for (const [name, table] of [
      ['raw-gpt-bios', 'GPT'],
      ['raw-mbr', 'MBR'],
    ] as const) {
      expect(await reportOf(name)).toEqual({
        status: 'no-esp',
        partition: null,
        fatType: null,
        efiFiles: [],
        truncated: false,
        suggestion: null,
        problem: `The ${table} partition table has no EFI system partition, so a UEFI firmware finds no bootloader on this image.`,
      });
    }
  });

  it('says when the ESP was never formatted', async () => {
    for (const name of ['raw-2g-sparse', 'raw-big-sparse'] as const) {
      expect(await reportOf(name)).toMatchObject({
        status: 'not-fat',
        partition: { index: 1, offsetBytes: MiB, sizeBytes: 2 * MiB },
        fatType: null,
        problem:
          'The EFI system partition (partition 1) holds only zeros, not the FAT filesystem a UEFI firmware boots from; format it with mkfs.fat.',
      });
    }
  });

  it('reads through real HTTP Range requests, one per coalesced run of blocks', async () => {
    const server: ImageServer = await startImageServer({ dir: kit.dir });
    try {
      for (const name of ['raw-gpt', 'qcow2-zstd'] as const) {
        server.reset();
        const url = `${server.url}/images/${kit.images[name].file}`;
        const viaHttp = await inspect(name, { source: await httpSource(url) });
        expect(viaHttp.report).toEqual(await reportOf(name));
        const ranged = server.requests.filter((r) => r.method === 'GET');
        expect(ranged.every((r) => r.status === 206)).toBe(true);
        expect(ranged).toHaveLength(viaHttp.stats.reads);
        expect(server.bytesServed()).toBe(viaHttp.stats.bytes);
      }
    } finally {
      await server.close();
    }
  });

  it('uses the partition table sector size for the ESP offset (4Kn disks)', async () => {
    const { partitions } = await inspect('raw-gpt');
    expect(partitions?.sectorSize).toBe(512);
    const esp = partitions!.entries[0]!;
    // raw-gpt's ESP at 1 MiB is LBA 256 on a disk of 4096-byte sectors.
    const as4k: PartitionInfo = {
      ...partitions!,
      sectorSize: 4096,
      entries: [{ ...esp, firstLba: 256, lastLba: 256 + 511 }],
    };
    const disk = await fileSource(kit.images['raw-gpt'].path);
    const report = await readEsp(disk, as4k);
    expect(report.partition).toEqual({ index: 1, offsetBytes: MiB, sizeBytes: 2 * MiB });
    expect(report.suggestion).toBe('\\EFI\\debian\\grubx64.efi');
  });

  it('says an ESP outside the image, or of no size, is unreadable', async () => {
    const { partitions } = await inspect('raw-gpt');
    const esp = partitions!.entries[0]!;
    const disk = await fileSource(kit.images['raw-gpt'].path);
    for (const moved of [
      { ...esp, firstLba: 1_000_000, lastLba: 1_004_095 },
      { ...esp, lastLba: esp.firstLba - 1, sizeBytes: 0 },
    ]) {
      expect(await readEsp(disk, { ...partitions!, entries: [moved] })).toMatchObject({
        status: 'unreadable',
        problem: 'The EFI system partition (partition 1) lies outside the image.',
      });
    }
  });

  it('finds a FAT ESP without an \\EFI directory, with nothing to suggest', async () => {
    const bytes = new Uint8Array(await readFile(kit.images['raw-gpt'].path));
    const v = new DataView(bytes.buffer, MiB, 512);
    const root = MiB + (v.getUint16(14, true) + bytes[MiB + 16]! * v.getUint16(22, true)) * 512;
    // Root slot 0 is the volume label, slot 1 the EFI directory: rename it EFX.
    expect(String.fromCharCode(...bytes.subarray(root + 32, root + 35))).toBe('EFI');
    bytes[root + 34] = 0x58;
    const report = await reportOf('raw-gpt', { source: memorySource(bytes) });
    expect(report).toMatchObject({
      status: 'found',
      fatType: 'FAT12',
      efiFiles: [],
      suggestion: null,
    });
  });
  it('does not call a GPT without its entries a disk without an ESP', async () => {
    const head = new Uint8Array(await readFile(kit.images['raw-gpt'].path)).subarray(0, 4096);
    const partitions = readPartitionTable(head)!;
    expect(partitions).toMatchObject({ table: 'gpt', gptEntriesCrcValid: null, entries: [] });
    expect(await readEsp(memorySource(head), partitions)).toMatchObject({
      status: 'unreadable',
      problem:
        'The GPT partition entries lie beyond the bytes read, so the EFI system partition could not be looked for.',
    });
  });

  it('passes on errors of the transport rather than blaming the image', async () => {
    const { partitions } = await inspect('raw-gpt');
    const failing: ByteSource = {
      size: kit.images['raw-gpt'].size,
      read: () => Promise.reject(new Error('socket hang up')),
    };
    await expect(readEsp(failing, partitions!)).rejects.toThrow('socket hang up');
  });
});

describe('the walk under \\EFI', () => {
  it(`lists at most ${MAX_EFI_FILES} files`, async () => {
    const report = await reportOf('raw-gpt-efi-crowded');
    expect(report.efiFiles).toHaveLength(MAX_EFI_FILES);
    expect(report.truncated).toBe(true);
  });

  it('stops at the depth limit, and says so', async () => {
    const report = await reportOf('raw-gpt-efi-crowded', { limits: { maxFiles: 1000 } });
    expect(report.efiFiles).toHaveLength(301);
    expect(report.efiFiles).toContain('\\EFI\\vendor\\a\\b\\c\\shallow-enough.efi');
    expect(report.efiFiles).not.toContain('\\EFI\\vendor\\a\\b\\c\\d\\too-deep.efi');
    expect(report.truncated).toBe(true);
    const deeper = await reportOf('raw-gpt-efi-crowded', {
      limits: { maxFiles: 1000, maxDepth: 5 },
    });
    expect([...deeper.efiFiles].sort()).toEqual(
      [...kit.images['raw-gpt-efi-crowded'].esp!.efiFiles].sort(),
    );
    expect(deeper.truncated).toBe(false);
  });

  it('stops after the entry limit, and says so', async () => {
    const report = await reportOf('raw-gpt-efi-crowded', { limits: { maxEntries: 50 } });
    expect(report.truncated).toBe(true);
    expect(report.efiFiles.length).toBeLessThan(50);
  });
});

describe('the read budget', () => {
  const ALL_DISKS: ImageName[] = [
    'raw-gpt',
    'raw-gpt-bios',
    'raw-mbr',
    'raw-nopt',
    'raw-gpt-corrupt',
    'raw-big-sparse',
    'raw-2g-sparse',
    'raw-gpt-efi-fallback',
    'raw-gpt-efi-empty',
    'raw-mbr-efi',
    'raw-gpt-efi-crowded',
    'qcow2',
    'qcow2-compressed',
    'qcow2-zstd',
    'qcow2-zero-clusters',
    'qcow2-extended-l2',
    'qcow2-external-data',
    'qcow2-v2',
    'qcow2-corrupt',
    'qcow2-backing',
    'qcow2-encrypted',
    'qcow2-big-virtual',
  ];

  it(`stays within ${DEFAULT_MAX_READS} reads and ${DEFAULT_MAX_BYTES} bytes on every kit disk`, async () => {
    const outcomes: Record<string, string> = {};
    for (const name of ALL_DISKS) {
      const { report, error, stats } = await inspect(name);
      outcomes[name] = report?.status ?? error?.reason ?? 'no-table';
      expect(stats.reads, name).toBeLessThanOrEqual(DEFAULT_MAX_READS);
      expect(stats.bytes, name).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    }
    expect(outcomes).toEqual({
      'raw-gpt': 'found',
      'raw-gpt-bios': 'no-esp',
      'raw-mbr': 'no-esp',
      'raw-nopt': 'no-table',
      'raw-gpt-corrupt': 'found',
      'raw-big-sparse': 'not-fat',
      'raw-2g-sparse': 'not-fat',
      'raw-gpt-efi-fallback': 'found',
      'raw-gpt-efi-empty': 'found',
      'raw-mbr-efi': 'found',
      'raw-gpt-efi-crowded': 'found',
      qcow2: 'found',
      'qcow2-compressed': 'found',
      'qcow2-zstd': 'found',
      'qcow2-zero-clusters': 'found',
      'qcow2-extended-l2': 'extended-l2',
      'qcow2-external-data': 'external-data',
      'qcow2-v2': 'found',
      'qcow2-corrupt': 'corrupt',
      'qcow2-backing': 'backing-file',
      'qcow2-encrypted': 'encrypted',
      'qcow2-big-virtual': 'no-table',
    });
  });

  it('reports an image that needs more than the budget as unreadable', async () => {
    const report = await reportOf('raw-gpt', { budget: { maxReads: 1 } });
    expect(report).toMatchObject({
      status: 'unreadable',
      fatType: null,
      problem:
        'The EFI system partition (partition 1) was not read to the end: reading the image needed more than 1 request (request 2 was refused).',
    });
  });
});

describe('hostile images end as unreadable, within the budget', () => {
  /** Runs the console's path on patched bytes of a kit image. */
  async function inspectBytes(name: ImageName, patch: (bytes: Uint8Array) => void | Promise<void>) {
    const bytes = new Uint8Array(await readFile(kit.images[name].path));
    await patch(bytes);
    const result = await inspect(name, { source: memorySource(bytes) });
    expect(result.stats.reads).toBeLessThanOrEqual(DEFAULT_MAX_READS);
    expect(result.stats.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    return result.report!;
  }

  /** FAT12/16 layout of a kit ESP at 1 MiB, from the BPB. */
  function layout(bytes: Uint8Array) {
    const v = new DataView(bytes.buffer, MiB, 512);
    const bps = v.getUint16(11, true);
    const fat = MiB + v.getUint16(14, true) * bps;
    const root = fat + bytes[MiB + 16]! * v.getUint16(22, true) * bps;
    const data = root + v.getUint16(17, true) * 32;
    const clusterBytes = bps * bytes[MiB + 13]!;
    return { fat, root, data, at: (cluster: number) => data + (cluster - 2) * clusterBytes };
  }

  const u16 = (bytes: Uint8Array, at: number) => bytes[at]! | (bytes[at + 1]! << 8);

  it('a FAT chain cycle in a directory', async () => {
    const report = await inspectBytes('raw-gpt-efi-crowded', (bytes) => {
      const l = layout(bytes);
      // Root slot 1 is EFI (slot 0 the label); \EFI slot 2 is drivers, after . and ..
      const efi = u16(bytes, l.root + 32 + 26);
      const drivers = u16(bytes, l.at(efi) + 64 + 26);
      const second = u16(bytes, l.fat + drivers * 2);
      new DataView(bytes.buffer).setUint16(l.fat + second * 2, drivers, true); // FAT16
    });
    expect(report.status).toBe('unreadable');
    expect(report.fatType).toBe('FAT16');
    expect(report.problem).toMatch(
      /^The EFI system partition \(partition 1\) is damaged: the directory drivers has a FAT chain that loops back to cluster \d+\.$/,
    );
  });

  it('a directory that contains itself', async () => {
    const report = await inspectBytes('raw-gpt', (bytes) => {
      const l = layout(bytes);
      const efi = u16(bytes, l.root + 32 + 26);
      // \EFI\debian (slot 2 of \EFI) now starts at \EFI's own cluster.
      new DataView(bytes.buffer).setUint16(l.at(efi) + 64 + 26, efi, true);
    });
    expect(report).toMatchObject({
      status: 'unreadable',
      problem:
        'The EFI system partition (partition 1) is damaged: the directory \\EFI\\debian is the same as \\EFI, so the directory tree loops.',
    });
  });

  it('a BPB with absurd counts', async () => {
    const report = await inspectBytes('raw-gpt', (bytes) => {
      new DataView(bytes.buffer).setUint32(MiB + 32, 0xffff_ffff, true);
      new DataView(bytes.buffer).setUint16(MiB + 19, 0, true);
    });
    expect(report).toMatchObject({
      status: 'unreadable',
      fatType: null,
      problem:
        'The EFI system partition (partition 1) is damaged: the FAT filesystem claims 2199023255040 bytes but its partition has 2097152.',
    });
  });

  it('a qcow2 L2 entry that points past the end of the file', async () => {
    const report = await inspectBytes('qcow2', (bytes) => {
      const v = new DataView(bytes.buffer);
      const l1 = Number(v.getBigUint64(40));
      const l2 = Number(v.getBigUint64(l1) & 0x00ff_ffff_ffff_fe00n);
      // Cluster 16 of 64 KiB is the ESP's first.
      v.setBigUint64(l2 + 16 * 8, (1n << 63n) | (BigInt(bytes.byteLength) + 0x10_0000n));
    });
    expect(report.status).toBe('unreadable');
    expect(report.problem).toMatch(
      /^The EFI system partition \(partition 1\) cannot be read from the qcow2 image: the qcow2 data cluster for disk offset 1048576 lies at bytes \d+–\d+, past the end of the \d+-byte file\.$/,
    );
  });
});

describe('suggestBootloader', () => {
  it("prefers OVH's examples in the guide's order, returning the path as stored", () => {
    expect(suggestBootloader(['\\EFI\\ubuntu\\grubx64.efi', '\\EFI\\debian\\grubx64.efi'])).toBe(
      '\\EFI\\debian\\grubx64.efi',
    );
    expect(
      suggestBootloader(['\\EFI\\Boot\\bootx64.efi', '\\EFI\\Microsoft\\Boot\\bootmgfw.efi']),
    ).toBe('\\EFI\\Microsoft\\Boot\\bootmgfw.efi');
    expect(suggestBootloader(['\\EFI\\freebsd\\LOADER.EFI'])).toBe('\\EFI\\freebsd\\LOADER.EFI');
    expect(suggestBootloader(['\\EFI\\fedora\\shimx64.efi', '\\EFI\\almalinux\\shimx64.efi'])).toBe(
      '\\EFI\\almalinux\\shimx64.efi',
    );
    expect(OVH_BOOTLOADER_EXAMPLES).toHaveLength(7);
  });

  it('then, in a vendor directory: shimx64.efi, then grubx64.efi, then another .efi', () => {
    const fallback = '\\EFI\\BOOT\\BOOTX64.EFI';
    expect(
      suggestBootloader([fallback, '\\EFI\\fedora\\grubx64.efi', '\\EFI\\fedora\\shimx64.efi']),
    ).toBe('\\EFI\\fedora\\shimx64.efi');
    expect(suggestBootloader([fallback, '\\EFI\\opensuse\\grubx64.efi'])).toBe(
      '\\EFI\\opensuse\\grubx64.efi',
    );
    expect(suggestBootloader([fallback, '\\EFI\\systemd\\systemd-bootx64.efi'])).toBe(
      '\\EFI\\systemd\\systemd-bootx64.efi',
    );
  });

  it("ranks Gentoo's example, the removable-media path, after vendor directories", () => {
    expect(suggestBootloader(['\\efi\\boot\\bootx64.efi', '\\EFI\\gentoo\\grubx64.efi'])).toBe(
      '\\EFI\\gentoo\\grubx64.efi',
    );
  });

  it("never suggests shim's MOK manager or fallback helper", () => {
    expect(
      suggestBootloader([
        '\\EFI\\BOOT\\BOOTX64.EFI',
        '\\EFI\\centos\\mmx64.efi',
        '\\EFI\\centos\\fbx64.efi',
      ]),
    ).toBe('\\EFI\\BOOT\\BOOTX64.EFI');
  });

  it('falls back to \\EFI\\BOOT\\BOOTX64.EFI, else nothing', () => {
    expect(suggestBootloader(['\\EFI\\Boot\\BootX64.efi'])).toBe('\\EFI\\Boot\\BootX64.efi');
    expect(suggestBootloader(['\\EFI\\BOOT\\BOOTAA64.EFI'])).toBeNull();
    expect(suggestBootloader(['\\EFI\\BOOT\\grubx64.efi'])).toBeNull();
    expect(suggestBootloader([])).toBeNull();
  });
});

describe('findEfiPath', () => {
  const files = ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi'];

  it('requires a leading separator and matches the whole path', () => {
    expect(findEfiPath(files, 'efi\\debian\\grubx64.efi')).toBeNull();
    expect(findEfiPath(files, '\\debian\\grubx64.efi')).toBeNull();
    expect(findEfiPath(files, '\\efi\\debian\\grubx64.efi ')).toBeNull();
    expect(findEfiPath(files, '/efi/boot/BootX64.Efi')).toBe('\\EFI\\BOOT\\BOOTX64.EFI');
  });
});
