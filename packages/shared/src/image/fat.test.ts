import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ensureImages, fileSource } from '@byoi/test-kit';
import type { ImageFixture, ImageKit, ImageName } from '@byoi/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from './byteSource.ts';
import type { ByteSource } from './byteSource.ts';
import { FatError, MAX_DIR_SLOTS, openFat } from './fat.ts';
import type { FatEntry, FatVolume } from './fat.ts';

type EspFixture = NonNullable<ImageFixture['esp']>;

let kit: ImageKit;

beforeAll(async () => {
  kit = await ensureImages();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function espOf(name: ImageName): EspFixture {
  const esp = kit.images[name].esp;
  if (!esp) throw new Error(`${name} has no ESP in the kit`);
  return esp;
}

interface Loaded {
  bytes: Uint8Array;
  esp: EspFixture;
}

async function load(name: ImageName): Promise<Loaded> {
  return { bytes: new Uint8Array(await readFile(kit.images[name].path)), esp: espOf(name) };
}

const mount = ({ bytes, esp }: Loaded, source: ByteSource = memorySource(bytes)) =>
  openFat(source, esp.offsetBytes, esp.sizeBytes);

async function entry(volume: FatVolume, path: string): Promise<FatEntry> {
  const found = await volume.find(path);
  if (!found) throw new Error(`${path} not found`);
  return found;
}

/** The layout a BPB describes, computed here from the specification's formulas. */
function layout({ bytes, esp }: Loaded) {
  const base = esp.offsetBytes;
  const v = new DataView(bytes.buffer, bytes.byteOffset + base, 512);
  const bps = v.getUint16(11, true);
  const fatSectors = v.getUint16(22, true) || v.getUint32(36, true);
  const fat = base + v.getUint16(14, true) * bps;
  const fatBytes = fatSectors * bps;
  const rootBytes = Math.ceil((v.getUint16(17, true) * 32) / bps) * bps;
  const data = fat + bytes[base + 16]! * fatBytes + rootBytes;
  const type = esp.fatType!;
  return { fat, fatBytes, data, clusterBytes: bps * bytes[base + 13]!, bps, type };
}

type Layout = ReturnType<typeof layout>;

function getFat(bytes: Uint8Array, l: Layout, cluster: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  if (l.type === 'FAT16') return v.getUint16(l.fat + cluster * 2, true);
  if (l.type === 'FAT32') return v.getUint32(l.fat + cluster * 4, true) & 0x0fffffff;
  const pair = v.getUint16(l.fat + cluster + (cluster >> 1), true);
  return cluster & 1 ? pair >> 4 : pair & 0xfff;
}

/** Sets a FAT entry in the first FAT (the one a reader uses). */
function setFat(bytes: Uint8Array, l: Layout, cluster: number, value: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  if (l.type === 'FAT16') return v.setUint16(l.fat + cluster * 2, value, true);
  if (l.type === 'FAT32') return v.setUint32(l.fat + cluster * 4, value, true);
  const at = l.fat + cluster + (cluster >> 1);
  const pair = v.getUint16(at, true);
  v.setUint16(at, cluster & 1 ? (pair & 0x000f) | (value << 4) : (pair & 0xf000) | value, true);
}

function chainOf(bytes: Uint8Array, l: Layout, first: number): number[] {
  const chain = [first];
  const end = l.type === 'FAT12' ? 0xff8 : l.type === 'FAT16' ? 0xfff8 : 0x0ffffff8;
  for (let c = getFat(bytes, l, first); c < end; c = getFat(bytes, l, c)) chain.push(c);
  return chain;
}

const clusterAt = (l: Layout, cluster: number) => l.data + (cluster - 2) * l.clusterBytes;

async function failure(promise: Promise<unknown>): Promise<FatError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FatError);
  return err as FatError;
}

describe('openFat on the kit ESPs', () => {
  it.each([
    'raw-gpt',
    'raw-gpt-efi-fallback',
    'raw-gpt-efi-empty',
    'raw-mbr-efi',
    'raw-gpt-efi-crowded',
  ] as const)('%s: the FAT type mkfs.fat made, and every file the recipe wrote', async (name) => {
    const image = await load(name);
    const volume = await mount(image);
    expect(volume.type).toBe(image.esp.fatType);
    for (const file of image.esp.files) {
      const found = await entry(volume, file.path);
      expect(found).toMatchObject({ directory: false, size: file.size });
      const content = await volume.readFile(found, Number.MAX_SAFE_INTEGER);
      expect(sha256(content), file.path).toBe(file.sha256);
    }
  });

  it('follows FAT12 chains through entries that straddle a FAT sector boundary', async () => {
    const image = await load('raw-gpt');
    const l = layout(image);
    const volume = await mount(image);
    const grub = await entry(volume, '\\EFI\\debian\\grubx64.efi');
    const boot = await entry(volume, '\\EFI\\BOOT\\BOOTX64.EFI');
    const clusters = [grub, boot].flatMap((e) => chainOf(image.bytes, l, e.firstCluster));
    // Entry 341 occupies bytes 511–512 of the FAT: the last of sector 0 and the first of sector 1.
    expect(l.bps).toBe(512);
    expect(clusters).toContain(341);
    expect(sha256(await volume.readFile(boot, boot.size))).toBe(image.esp.files[1]!.sha256);
  });

  it('reads the first bytes of a file only, when asked for fewer', async () => {
    const image = await load('raw-mbr-efi');
    const volume = await mount(image);
    const shim = await entry(volume, '\\EFI\\ubuntu\\shimx64.efi');
    const head = await volume.readFile(shim, 2);
    expect(String.fromCharCode(...head)).toBe('MZ');
  });

  it('lists names as stored: NT lower-case flags, long names; skips the label, . and ..', async () => {
    const volume = await mount(await load('raw-gpt'));
    const names = (listing: { entries: FatEntry[] }) =>
      listing.entries.map((e) => [e.name, e.shortName, e.directory]);
    // mkfs.fat -n ESP wrote a volume label entry into the root directory.
    expect(names(await volume.readDir())).toEqual([['EFI', 'EFI', true]]);
    const efi = await entry(volume, '\\EFI');
    expect(names(await volume.readDir(efi))).toEqual([
      ['debian', 'DEBIAN', true],
      ['BOOT', 'BOOT', true],
    ]);
    const debian = await entry(volume, '\\EFI\\debian');
    expect(names(await volume.readDir(debian))).toEqual([['grubx64.efi', 'GRUBX64.EFI', false]]);

    const empty = await mount(await load('raw-gpt-efi-empty'));
    const efi2 = await entry(empty, '\\EFI');
    expect(names(await empty.readDir(efi2))).toEqual([
      ['debian', 'DEBIAN', true],
      ['BOOT', 'BOOT', true],
      ['Microsoft', 'MICROS~1', true],
      ['tools', 'TOOLS', true],
    ]);
    const tools = await empty.readDir(await entry(empty, '\\EFI\\tools'));
    expect(tools.entries.map((e) => e.name)).toEqual(
      Array.from({ length: 40 }, (_, i) => `release-notes-${String(i).padStart(2, '0')}.txt`),
    );
    expect(tools.truncated).toBe(false);
  });

  it('skips deleted entries (mdel marks them 0xE5)', async () => {
    const image = await load('raw-gpt-efi-empty');
    const volume = await mount(image);
    const boot = await entry(volume, '\\EFI\\BOOT');
    expect((await volume.readDir(boot)).entries.map((e) => e.name)).toEqual(['bootx64.efi.bak']);
    const debian = await entry(volume, '\\EFI\\debian');
    expect((await volume.readDir(debian)).entries.map((e) => e.name)).toEqual(['grub.cfg']);
    expect(await volume.find('\\EFI\\BOOT\\BOOTX64.EFI')).toBeNull();
    // The deleted entry is there on disk: 0xE5 then the rest of "BOOTX64 EFI".
    const l = layout(image);
    const cluster = image.bytes.subarray(
      clusterAt(l, boot.firstCluster),
      clusterAt(l, boot.firstCluster) + l.clusterBytes,
    );
    const slots = Array.from({ length: l.clusterBytes / 32 }, (_, i) =>
      cluster.subarray(i * 32, i * 32 + 11),
    );
    expect(
      slots.some((s) => s[0] === 0xe5 && String.fromCharCode(...s.subarray(1)) === 'OOTX64 EFI'),
    ).toBe(true);
  });

  it('spans directories over several clusters', async () => {
    const image = await load('raw-gpt-efi-empty');
    const volume = await mount(image);
    const tools = await entry(volume, '\\EFI\\tools');
    expect(chainOf(image.bytes, layout(image), tools.firstCluster).length).toBeGreaterThan(1);
    expect((await volume.readDir(tools)).entries).toHaveLength(40);
  });

  it('finds paths case-insensitively, by long or short name, with either separator', async () => {
    const volume = await mount(await load('raw-gpt-efi-empty'));
    const cfg = await entry(volume, '\\EFI\\debian\\grub.cfg');
    expect(await volume.find('/efi/DEBIAN/GRUB.CFG')).toEqual(cfg);
    expect(await volume.find('efi\\Debian\\Grub.Cfg')).toEqual(cfg);
    expect((await volume.find('\\EFI\\MICROS~1\\BOOT\\bcd'))?.name).toBe('BCD');
    expect((await volume.find('\\EFI\\microsoft'))?.name).toBe('Microsoft');
    expect(await volume.find('\\EFI\\debian\\grubx64.efi')).toBeNull();
    expect(await volume.find('\\EFI\\debian\\grub.cfg\\more')).toBeNull();
    expect(await volume.find('\\nothing\\here')).toBeNull();
  });

  it('reads FAT32 roots through their cluster chain', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const volume = await mount(image);
    expect(volume.type).toBe('FAT32');
    expect(volume.clusterCount).toBeGreaterThanOrEqual(65_525);
    expect(volume.rootCluster).toBe(2);
    expect((await volume.readDir()).entries.map((e) => e.name)).toEqual(['EFI']);
  });

  it('reads only the FAT sectors a chain needs, and never the second FAT', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const l = layout(image);
    const reads: [number, number][] = [];
    const source: ByteSource = {
      size: image.bytes.byteLength,
      read(offset, length) {
        reads.push([offset, length]);
        return Promise.resolve(image.bytes.slice(offset, offset + length));
      },
    };
    const volume = await mount(image, source);
    const boot = await entry(volume, '\\EFI\\BOOT\\BOOTX64.EFI');
    await volume.readFile(boot, boot.size);
    const fatReads = reads.filter(([o]) => o >= l.fat && o < l.fat + 2 * l.fatBytes);
    // 96 KiB of 512-byte clusters: 192 entries of 4 bytes, two sectors of a FAT of over 500.
    expect(l.fatBytes / l.bps).toBeGreaterThan(500);
    expect(fatReads.length).toBeGreaterThan(0);
    expect(fatReads.every(([o, n]) => o + n <= l.fat + 3 * l.bps)).toBe(true);
  });

  it('stops a listing at maxEntries and says so', async () => {
    const volume = await mount(await load('raw-gpt-efi-crowded'));
    const drivers = await entry(volume, '\\EFI\\drivers');
    const full = await volume.readDir(drivers);
    expect(full).toMatchObject({ truncated: false });
    expect(full.entries).toHaveLength(300);
    const cut = await volume.readDir(drivers, 10);
    expect(cut.truncated).toBe(true);
    expect(cut.entries.map((e) => e.name)).toEqual(full.entries.slice(0, 10).map((e) => e.name));
  });
});

describe('a partition that is not FAT', () => {
  it('says an unformatted partition holds only zeros', async () => {
    const esp = espOf('raw-2g-sparse');
    const source = await fileSource(kit.images['raw-2g-sparse'].path);
    const err = await failure(openFat(source, esp.offsetBytes, esp.sizeBytes));
    expect(err).toMatchObject({ reason: 'not-fat', found: 'only zeros' });
    expect(err.message).toBe('The partition holds only zeros, not a FAT filesystem.');
  });

  it('says random data has no FAT boot sector', async () => {
    const bytes = new Uint8Array(await readFile(kit.images['raw-nopt'].path));
    const err = await failure(openFat(memorySource(bytes), 0, bytes.byteLength));
    expect(err).toMatchObject({ reason: 'not-fat', found: 'data without a FAT boot sector' });
  });

  it('says the image ends before the boot sector', async () => {
    const { bytes, esp } = await load('raw-gpt');
    const cut = bytes.subarray(0, esp.offsetBytes + 100);
    const err = await failure(openFat(memorySource(cut), esp.offsetBytes, esp.sizeBytes));
    expect(err).toMatchObject({ reason: 'corrupt' });
  });
});

describe('hostile FAT structures', () => {
  type Patch = (v: DataView) => void;
  it.each<[string, Patch, RegExp]>([
    [
      'bytes per sector 1000',
      (v) => v.setUint16(11, 1000, true),
      /1000 bytes per sector; FAT allows 512, 1024, 2048 or 4096/,
    ],
    ['bytes per sector 8192', (v) => v.setUint16(11, 8192, true), /8192 bytes per sector/],
    [
      '3 sectors per cluster',
      (v) => v.setUint8(13, 3),
      /3 sectors per cluster; FAT allows a power of two from 1 to 128/,
    ],
    ['0 sectors per cluster', (v) => v.setUint8(13, 0), /0 sectors per cluster/],
    ['0 reserved sectors', (v) => v.setUint16(14, 0, true), /0 reserved sectors/],
    ['0 FATs', (v) => v.setUint8(16, 0), /0 file allocation tables; FAT uses 1 to 4/],
    ['255 FATs', (v) => v.setUint8(16, 255), /255 file allocation tables/],
    [
      'a FAT of 0 sectors',
      (v) => {
        v.setUint16(22, 0, true);
        v.setUint32(36, 0, true); // where FAT32 keeps its FAT size
      },
      /FAT size of 0 sectors/,
    ],
    ['a FAT of 65535 sectors', (v) => v.setUint16(22, 0xffff, true), /leave no room for data/],
    [
      'a FAT too small for its clusters',
      (v) => v.setUint16(22, 2, true),
      /FAT of 2 sectors is too small for \d+ clusters/,
    ],
    ['0 total sectors', (v) => v.setUint16(19, 0, true), /total of 0 sectors/],
    [
      '4 G sectors in a 2 MiB partition',
      (v) => {
        v.setUint16(19, 0, true);
        v.setUint32(32, 0xffffffff, true);
      },
      /claims 2199023255040 bytes but its partition has 2097152/,
    ],
    [
      '0 root entries on FAT12',
      (v) => v.setUint16(17, 0, true),
      /FAT12 boot sector gives 0 root directory entries/,
    ],
  ])('refuses a BPB with %s', async (_label, patch, message) => {
    const image = await load('raw-gpt');
    const bytes = Uint8Array.from(image.bytes);
    patch(new DataView(bytes.buffer, image.esp.offsetBytes, 512));
    const err = await failure(mount({ ...image, bytes }));
    expect(err.reason).toBe('corrupt');
    expect(err.message).toMatch(message);
  });

  it('refuses a FAT32 boot sector whose layout disagrees with its cluster count', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const bytes = Uint8Array.from(image.bytes);
    // Eight times larger clusters: the same sectors make under 65,525 clusters, which is FAT16.
    new DataView(bytes.buffer, image.esp.offsetBytes, 512).setUint8(13, 8);
    const err = await failure(mount({ ...image, bytes }));
    expect(err.message).toMatch(/FAT32 layout but only \d+ clusters, which makes FAT16/);
  });

  it('reads the FAT that a FAT32 boot sector names active when mirroring is off', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    bytes.fill(0, l.fat, l.fat + l.bps); // FAT 0 loses the chains of the root and \EFI
    const flags = new DataView(bytes.buffer, image.esp.offsetBytes + 40, 2);
    flags.setUint16(0, 0x81, true); // bit 7: mirroring off; bits 0–3: FAT 1 is active
    const volume = await mount({ ...image, bytes });
    expect((await volume.readDir()).entries.map((e) => e.name)).toEqual(['EFI']);
    expect((await volume.find('\\EFI\\BOOT\\BOOTX64.EFI'))?.size).toBe(96 * 1024);

    flags.setUint16(0, 0x85, true);
    const err = await failure(mount({ ...image, bytes }));
    expect(err.message).toBe('The FAT32 boot sector names FAT 5 as active but there are 2.');
  });

  it('refuses a FAT32 root cluster outside the volume', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const bytes = Uint8Array.from(image.bytes);
    new DataView(bytes.buffer, image.esp.offsetBytes, 512).setUint32(44, 0x0ffffff0, true);
    const err = await failure(mount({ ...image, bytes }));
    expect(err.message).toMatch(/root directory starts at cluster 268435440, outside 2–\d+/);
  });

  /** raw-gpt with grubx64.efi's chain rewired at its 10th cluster. */
  async function grubWith(next: number | ((chain: number[]) => number)) {
    const image = await load('raw-gpt');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    const grub = await entry(await mount(image), '\\EFI\\debian\\grubx64.efi');
    const chain = chainOf(bytes, l, grub.firstCluster);
    setFat(bytes, l, chain[9]!, typeof next === 'number' ? next : next(chain));
    const volume = await mount({ ...image, bytes });
    return { volume, grub: await entry(volume, '\\EFI\\debian\\grubx64.efi') };
  }

  it('ends a FAT chain that loops back on itself', async () => {
    const { volume, grub } = await grubWith((chain) => chain[2]!);
    const err = await failure(volume.readFile(grub, grub.size));
    expect(err.message).toMatch(
      /^The file grubx64\.efi has a FAT chain that loops back to cluster \d+\.$/,
    );
  });

  it.each([
    [0xff0, /points to cluster 4080, outside 2–\d+/],
    [0, /points to cluster 0, outside/],
    [0xff7, /reaches a cluster marked bad/],
    [0xfff, /FAT chain of 10 clusters, too short for its 196608 bytes/],
  ])('ends a chain whose entry is %i', async (value, message) => {
    const { volume, grub } = await grubWith(value);
    expect((await failure(volume.readFile(grub, grub.size))).message).toMatch(message);
  });

  it('refuses a file size larger than the filesystem', async () => {
    const image = await load('raw-gpt');
    const volume = await mount(image);
    const grub = await entry(volume, '\\EFI\\debian\\grubx64.efi');
    const absurd = { ...grub, size: 0xffffffff };
    const err = await failure(volume.readFile(absurd, absurd.size));
    expect(err.message).toMatch(/claims 4294967295 bytes, more than the filesystem holds/);
  });

  it('ends a directory chain that loops', async () => {
    const image = await load('raw-gpt-efi-crowded');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    const drivers = await entry(await mount(image), '\\EFI\\drivers');
    const chain = chainOf(bytes, l, drivers.firstCluster);
    expect(chain.length).toBeGreaterThan(3);
    setFat(bytes, l, chain[2]!, chain[0]!);
    const volume = await mount({ ...image, bytes });
    const err = await failure(volume.readDir(drivers));
    expect(err.message).toBe(
      `The directory drivers has a FAT chain that loops back to cluster ${chain[0]}.`,
    );
  });

  it('ends a directory longer than FAT allows (65,536 entries)', async () => {
    const image = await load('raw-gpt-efi-fallback');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    const boot = await entry(await mount(image), '\\EFI\\BOOT');
    // Chain BOOT through 4,100 free clusters of 512 bytes, every slot a deleted entry: no end marker.
    const limit = (MAX_DIR_SLOTS * 32) / l.clusterBytes;
    const from = 10_000;
    setFat(bytes, l, boot.firstCluster, from);
    for (let c = from; c < from + limit + 4; c++) setFat(bytes, l, c, c + 1);
    bytes.fill(0xe5, clusterAt(l, from), clusterAt(l, from + limit + 5));
    const first = clusterAt(l, boot.firstCluster);
    for (let at = first + 3 * 32; at < first + l.clusterBytes; at += 32) bytes[at] = 0xe5;
    const volume = await mount({ ...image, bytes });
    const err = await failure(volume.readDir(boot));
    expect(err.message).toBe(`The directory BOOT has a FAT chain longer than ${limit} clusters.`);
  });

  /** raw-gpt-efi-empty's \EFI\tools cluster, for patching long-name entries. */
  async function toolsWith(patch: (cluster: Uint8Array) => void) {
    const image = await load('raw-gpt-efi-empty');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    const tools = await entry(await mount(image), '\\EFI\\tools');
    const at = clusterAt(l, tools.firstCluster);
    patch(bytes.subarray(at, at + l.clusterBytes));
    const volume = await mount({ ...image, bytes });
    return (await volume.readDir(await entry(volume, '\\EFI\\tools'))).entries;
  }

  /** Slots 0 and 1 are `.` and `..`; release-notes-00.txt has two long-name parts, then its 8.3 entry. */
  const FIRST_FILE = 2 * 32;

  it('keeps the 8.3 name when the long name checksum does not match', async () => {
    const entries = await toolsWith((cluster) => {
      expect(cluster[FIRST_FILE + 11]).toBe(0x0f);
      cluster[FIRST_FILE + 13]! ^= 0xff;
      cluster[FIRST_FILE + 32 + 13]! ^= 0xff;
    });
    expect(entries[0]).toMatchObject({ name: 'RELEAS~1.TXT', shortName: 'RELEAS~1.TXT' });
    expect(entries[1]?.name).toBe('release-notes-01.txt');
  });

  it('keeps the 8.3 name when long-name parts come out of order', async () => {
    const entries = await toolsWith((cluster) => {
      expect(cluster[FIRST_FILE]).toBe(0x42); // the last part (0x40) of two
      cluster[FIRST_FILE + 32] = 0x03; // the part that must be 1
    });
    expect(entries[0]?.name).toBe('RELEAS~1.TXT');
  });

  it('shows OEM bytes beyond ASCII as U+FFFD, and a leading 0x05 as the character 0xE5', async () => {
    const image = await load('raw-gpt');
    const l = layout(image);
    const bytes = Uint8Array.from(image.bytes);
    const debian = await entry(await mount(image), '\\EFI\\debian');
    const slot = clusterAt(l, debian.firstCluster) + 2 * 32; // after . and ..
    expect(String.fromCharCode(...bytes.subarray(slot, slot + 11))).toBe('GRUBX64 EFI');
    bytes[slot] = 0x05;
    bytes[slot + 3] = 0x9a;
    const volume = await mount({ ...image, bytes });
    const listed = (await volume.readDir(await entry(volume, '\\EFI\\debian'))).entries;
    expect(listed.map((e) => [e.name, e.shortName])).toEqual([
      ['\ufffdru\ufffdx64.efi', '\ufffdRU\ufffdX64.EFI'],
    ]);
  });

  it('skips an entry whose long name holds a path separator', async () => {
    const entries = await toolsWith((cluster) => {
      // The 5th character of the first part ("release-notes-00.txt" → "rele/se-…") is at offset 9.
      cluster[FIRST_FILE + 32 + 9] = 0x2f;
    });
    expect(entries.map((e) => e.name)).not.toContain('rele/se-notes-00.txt');
    expect(entries).toHaveLength(39);
  });
});
