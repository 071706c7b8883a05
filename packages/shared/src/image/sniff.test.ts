import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { formatGuid } from './partitions.ts';
import {
  SNIFF_BYTES,
  describeForUpstream,
  detectedFormatWord,
  isRecognisedNonDiskFormat,
  sniffImage,
} from './sniff.ts';

const EFI = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BIOS_BOOT = '21686148-6449-6E6F-744E-656564454649';
const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';
const DISK_GUID = '5B1E2D6F-0A4C-4E2B-9D3A-7C8E1F2A3B4C';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function guidBytes(guid: string): Uint8Array {
  const hex = guid.replace(/-/g, '');
  const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

// ---- qcow2 headers, laid out as in QEMU's docs/interop/qcow2.txt ----

interface Qcow2Spec {
  version?: number;
  clusterBits?: number;
  virtualSize?: bigint;
  cryptMethod?: number;
  l1Size?: number;
  l1TableOffset?: bigint;
  refcountTableOffset?: bigint;
  refcountTableClusters?: number;
  backingFile?: string;
  incompatible?: bigint;
  compressionType?: number;
}

function qcow2Header(spec: Qcow2Spec = {}): Uint8Array {
  const version = spec.version ?? 3;
  const bytes = new Uint8Array(4096);
  const v = new DataView(bytes.buffer);
  bytes.set([0x51, 0x46, 0x49, 0xfb]);
  v.setUint32(4, version);
  v.setUint32(20, spec.clusterBits ?? 16);
  v.setBigUint64(24, spec.virtualSize ?? 8n * 1024n * 1024n);
  v.setUint32(32, spec.cryptMethod ?? 0);
  v.setUint32(36, spec.l1Size ?? 1);
  v.setBigUint64(40, spec.l1TableOffset ?? 0x30000n);
  v.setBigUint64(48, spec.refcountTableOffset ?? 0x10000n);
  v.setUint32(56, spec.refcountTableClusters ?? 1);
  let end = 72;
  if (version >= 3) {
    v.setBigUint64(72, spec.incompatible ?? 0n);
    v.setUint32(96, 4);
    v.setUint32(100, 112);
    bytes[104] = spec.compressionType ?? 0;
    end = 112;
  }
  if (spec.backingFile) {
    const name = ascii(spec.backingFile);
    bytes.set(name, end + 8);
    v.setBigUint64(8, BigInt(end + 8));
    v.setUint32(16, name.length);
  }
  return bytes;
}

// ---- partition tables ----

interface GptPart {
  type: string;
  first: number;
  last: number;
  name: string;
}

function withBootSignature(bytes: Uint8Array): Uint8Array {
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  return bytes;
}

function mbrEntry(
  bytes: Uint8Array,
  slot: number,
  status: number,
  type: number,
  first: number,
  count: number,
) {
  const at = 446 + slot * 16;
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  bytes[at] = status;
  bytes[at + 4] = type;
  v.setUint32(at + 8, first, true);
  v.setUint32(at + 12, count, true);
}

/** A disk image head with a protective MBR, a primary GPT header at LBA 1 and 128 entries from LBA 2. */
function gptDisk(
  parts: GptPart[],
  opts: { sectorSize?: number; bootCode?: boolean; totalSectors?: number } = {},
) {
  const sector = opts.sectorSize ?? 512;
  const totalSectors = opts.totalSectors ?? 16384;
  const entriesBytes = 128 * 128;
  const bytes = new Uint8Array(sector * 2 + entriesBytes + sector);
  const v = new DataView(bytes.buffer);
  withBootSignature(bytes);
  mbrEntry(bytes, 0, 0, 0xee, 1, totalSectors - 1);
  if (opts.bootCode) bytes.set([0xeb, 0x63, 0x90], 0);

  const entriesAt = sector * 2;
  parts.forEach((p, i) => {
    const at = entriesAt + i * 128;
    bytes.set(guidBytes(p.type), at);
    bytes.set(guidBytes(DISK_GUID).reverse(), at + 16);
    v.setBigUint64(at + 32, BigInt(p.first), true);
    v.setBigUint64(at + 40, BigInt(p.last), true);
    Array.from(p.name).forEach((c, j) => v.setUint16(at + 56 + j * 2, c.charCodeAt(0), true));
  });

  const h = sector;
  bytes.set(ascii('EFI PART'), h);
  v.setUint32(h + 8, 0x00010000, true);
  v.setUint32(h + 12, 92, true);
  v.setBigUint64(h + 24, 1n, true);
  v.setBigUint64(h + 32, BigInt(totalSectors - 1), true);
  v.setBigUint64(h + 40, 34n, true);
  v.setBigUint64(h + 48, BigInt(totalSectors - 34), true);
  bytes.set(guidBytes(DISK_GUID), h + 56);
  v.setBigUint64(h + 72, 2n, true);
  v.setUint32(h + 80, 128, true);
  v.setUint32(h + 84, 128, true);
  v.setUint32(h + 88, crc32(bytes.subarray(entriesAt, entriesAt + entriesBytes)), true);
  v.setUint32(h + 16, crc32(bytes.subarray(h, h + 92)), true);
  return bytes;
}

const efiAndLinux: GptPart[] = [
  { type: EFI, first: 2048, last: 6143, name: 'EFI system partition' },
  { type: LINUX, first: 6144, last: 16350, name: 'root' },
];

function mbrDisk(opts: { bootCode: boolean; type?: number; bootable?: boolean }) {
  const bytes = withBootSignature(new Uint8Array(4096));
  if (opts.bootCode) bytes.set([0xfa, 0x31, 0xc0, 0x8e, 0xd8], 0);
  mbrEntry(bytes, 0, opts.bootable === false ? 0 : 0x80, opts.type ?? 0x83, 2048, 14336);
  return bytes;
}

describe('crc32', () => {
  it('matches the standard check value and zlib', async () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    const zlib = await import('node:zlib');
    const sample = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    expect(crc32(sample)).toBe(zlib.crc32(sample));
  });
});

describe('formatGuid', () => {
  it('reads the mixed-endian layout GPT uses', () => {
    expect(formatGuid(guidBytes(EFI))).toBe(EFI);
    expect(
      formatGuid(
        Uint8Array.from([
          0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9,
          0x3b,
        ]),
      ),
    ).toBe(EFI);
  });
});

describe('sniffImage: qcow2', () => {
  it('reads a sound v3 header', () => {
    const s = sniffImage(qcow2Header({ virtualSize: 8n << 20n }), { totalSize: 0x40000 });
    expect(s).toMatchObject({
      kind: 'qcow2',
      description: 'QEMU QCOW2 Image (v3)',
      isDiskImage: true,
    });
    expect(s.qcow2).toEqual({
      version: 3,
      virtualSize: 8 * 1024 * 1024,
      clusterBits: 16,
      backingFile: null,
      encrypted: false,
      compressionType: 'zlib',
      l1Size: 1,
      l1TableOffset: 0x30000,
      refcountTableOffset: 0x10000,
      problems: [],
    });
    expect(s.partitions).toBeUndefined();
  });

  it('reads a v2 header, which stops at byte 72', () => {
    const s = sniffImage(qcow2Header({ version: 2 }).subarray(0, 72));
    expect(s.description).toBe('QEMU QCOW2 Image (v2)');
    expect(s.qcow2).toMatchObject({ version: 2, compressionType: 'zlib', problems: [] });
  });

  it('reads the backing file name', () => {
    const s = sniffImage(qcow2Header({ backingFile: 'base.qcow2' }));
    expect(s.qcow2?.backingFile).toBe('base.qcow2');
    expect(s.qcow2?.problems).toEqual([]);
  });

  it('reports a backing file whose name lies beyond the bytes read', () => {
    const head = qcow2Header({ version: 2, backingFile: 'base.qcow2' }).subarray(0, 80);
    expect(sniffImage(head).qcow2?.backingFile).toBe('(name beyond the bytes read)');
  });

  it('detects encryption (AES and LUKS)', () => {
    expect(sniffImage(qcow2Header({ cryptMethod: 2 })).qcow2?.encrypted).toBe(true);
    expect(sniffImage(qcow2Header({ version: 2, cryptMethod: 1 })).qcow2?.encrypted).toBe(true);
    expect(sniffImage(qcow2Header({ cryptMethod: 3 })).qcow2?.problems).toContain(
      'Unknown encryption method 3.',
    );
  });

  it('reads the zstd compression type', () => {
    expect(
      sniffImage(qcow2Header({ compressionType: 1, incompatible: 1n << 3n })).qcow2,
    ).toMatchObject({
      compressionType: 'zstd',
      problems: [],
    });
  });

  it('flags an L1 table that is not cluster-aligned or lies beyond the end of the file', () => {
    const s = sniffImage(qcow2Header({ l1TableOffset: 0x7ffff001n }), { totalSize: 0x40000 });
    expect(s.kind).toBe('qcow2');
    expect(s.qcow2?.problems).toEqual([
      'The L1 table offset 2147479553 is not aligned to the 65536-byte cluster size.',
      'The L1 table (offset 2147479553, 8 bytes) lies beyond the end of the 262144 bytes file.',
    ]);
  });

  it('only checks offsets against the file size when it is known', () => {
    expect(sniffImage(qcow2Header({ l1TableOffset: 0x7fff0000n })).qcow2?.problems).toEqual([]);
  });

  it('flags a refcount table beyond the end, or at offset 0', () => {
    expect(
      sniffImage(qcow2Header({ refcountTableOffset: 0x100000n }), { totalSize: 0x40000 }).qcow2
        ?.problems,
    ).toEqual([
      'The refcount table (offset 1048576, 65536 bytes) lies beyond the end of the 262144 bytes file.',
    ]);
    expect(sniffImage(qcow2Header({ refcountTableOffset: 0n })).qcow2?.problems).toEqual([
      'The refcount table offset is 0.',
    ]);
  });

  it('flags an L1 table too small for the virtual size', () => {
    // 64 KiB clusters → one L2 table maps 8192 × 64 KiB = 512 MiB; 64 GiB needs 128 L1 entries.
    const s = sniffImage(qcow2Header({ virtualSize: 64n << 30n, l1Size: 16 }));
    expect(s.qcow2?.virtualSize).toBe(64 * 2 ** 30);
    expect(s.qcow2?.problems).toEqual([
      'The L1 table has 16 entries but a virtual size of 68719476736 bytes needs 128.',
    ]);
    expect(
      sniffImage(qcow2Header({ virtualSize: 64n << 30n, l1Size: 128 })).qcow2?.problems,
    ).toEqual([]);
  });

  it('flags an L1 table with entries at offset 0', () => {
    expect(sniffImage(qcow2Header({ l1TableOffset: 0n })).qcow2?.problems).toEqual([
      'The L1 table has 1 entries but its offset is 0.',
    ]);
  });

  it('flags unknown incompatible features and the corrupt bit', () => {
    expect(sniffImage(qcow2Header({ incompatible: 1n << 7n })).qcow2?.problems).toEqual([
      'Unknown incompatible feature bits are set (0x80).',
    ]);
    expect(sniffImage(qcow2Header({ incompatible: 1n << 1n })).qcow2?.problems).toEqual([
      'The image is marked corrupt by QEMU (incompatible feature bit 1).',
    ]);
  });

  it('flags an external data file, an unknown compression type, a short v3 header and an overlong backing name', () => {
    expect(sniffImage(qcow2Header({ incompatible: 1n << 2n })).qcow2?.problems).toEqual([
      'The guest data lives in an external data file that is not part of this image.',
    ]);
    expect(sniffImage(qcow2Header({ compressionType: 9 })).qcow2?.problems).toEqual([
      'Unknown compression type 9.',
    ]);
    const short = qcow2Header();
    new DataView(short.buffer).setUint32(100, 96);
    expect(sniffImage(short).qcow2?.problems).toEqual([
      'The QCOW2 v3 header length 96 is below the minimum of 104.',
    ]);
    const long = qcow2Header({ backingFile: 'b' });
    new DataView(long.buffer).setUint32(16, 2000);
    expect(sniffImage(long.subarray(0, 1024)).qcow2).toMatchObject({
      backingFile: '(name beyond the bytes read)',
      problems: ["The backing file name is 2000 bytes long, over QEMU's limit of 1023."],
    });
  });

  it('flags bad cluster bits', () => {
    expect(sniffImage(qcow2Header({ clusterBits: 40 })).qcow2?.problems).toEqual([
      'Cluster bits 40 are out of range (9–21, i.e. 512 B to 2 MiB clusters).',
    ]);
  });

  it('flags a truncated header and unknown versions', () => {
    expect(sniffImage(qcow2Header().subarray(0, 40)).qcow2?.problems[0]).toMatch(
      /truncated: 40 bytes read/,
    );
    expect(sniffImage(qcow2Header().subarray(0, 90)).qcow2?.problems[0]).toMatch(
      /v3 header is truncated/,
    );
    const v1 = sniffImage(qcow2Header({ version: 1 }));
    expect(v1.description).toBe('QEMU QCOW Image (v1)');
    expect(v1.qcow2?.problems[0]).toMatch(/old QCOW version 1 format/);
  });
});

describe('sniffImage: GPT', () => {
  it('reads a GPT with an EFI system partition and a Linux partition', () => {
    const s = sniffImage(gptDisk(efiAndLinux));
    expect(s).toMatchObject({ kind: 'raw-gpt', isDiskImage: true });
    expect(s.description).toMatch(/^DOS\/MBR boot sector/);
    expect(s.partitions).toEqual({
      table: 'gpt',
      sectorSize: 512,
      gptHeaderCrcValid: true,
      gptEntriesCrcValid: true,
      diskGuid: DISK_GUID,
      entries: [
        {
          index: 1,
          type: EFI,
          kind: 'efi-system',
          name: 'EFI system partition',
          firstLba: 2048,
          lastLba: 6143,
          sizeBytes: 2 * 1024 * 1024,
        },
        {
          index: 2,
          type: LINUX,
          kind: 'linux',
          name: 'root',
          firstLba: 6144,
          lastLba: 16350,
          sizeBytes: 10207 * 512,
        },
      ],
      mbrBootCode: false,
      uefiCapable: true,
      legacyCapable: false,
    });
  });

  it('sees a BIOS boot partition as legacy-capable', () => {
    const s = sniffImage(
      gptDisk([
        { type: BIOS_BOOT, first: 34, last: 2047, name: 'bios' },
        { type: SWAP, first: 2048, last: 4095, name: 'swap' },
      ]),
    );
    expect(s.partitions).toMatchObject({ uefiCapable: false, legacyCapable: true });
    expect(s.partitions?.entries.map((e) => e.kind)).toEqual(['bios-boot', 'linux-swap']);
  });

  it('sees boot code in the protective MBR as legacy-capable', () => {
    expect(sniffImage(gptDisk(efiAndLinux, { bootCode: true })).partitions).toMatchObject({
      mbrBootCode: true,
      legacyCapable: true,
      uefiCapable: true,
    });
  });

  it('reports a corrupted header CRC', () => {
    const disk = gptDisk(efiAndLinux);
    disk[512 + 60]! ^= 0xff; // a byte of the disk GUID
    const s = sniffImage(disk);
    expect(s.kind).toBe('raw-gpt');
    expect(s.partitions).toMatchObject({ gptHeaderCrcValid: false, gptEntriesCrcValid: true });
  });

  it('reports a corrupted entry array CRC', () => {
    const disk = gptDisk(efiAndLinux);
    disk[1024 + 56]! ^= 0x01; // a letter of the first partition's name
    expect(sniffImage(disk).partitions).toMatchObject({
      gptHeaderCrcValid: true,
      gptEntriesCrcValid: false,
    });
  });

  it('leaves the entry array CRC unknown when the array lies beyond the bytes read', () => {
    const s = sniffImage(gptDisk(efiAndLinux).subarray(0, 1024));
    expect(s.partitions).toMatchObject({
      gptHeaderCrcValid: true,
      gptEntriesCrcValid: null,
      entries: [],
    });
  });

  it('finds a GPT on 4096-byte sectors', () => {
    const s = sniffImage(gptDisk(efiAndLinux, { sectorSize: 4096 }));
    expect(s.kind).toBe('raw-gpt');
    expect(s.partitions).toMatchObject({
      sectorSize: 4096,
      gptHeaderCrcValid: true,
      gptEntriesCrcValid: true,
      uefiCapable: true,
    });
    expect(s.partitions?.entries[0]?.sizeBytes).toBe(4096 * 4096);
  });
});

describe('sniffImage: MBR', () => {
  it('reads a bootable MBR with boot code', () => {
    const s = sniffImage(mbrDisk({ bootCode: true }));
    expect(s).toMatchObject({
      kind: 'raw-mbr',
      description: 'DOS/MBR boot sector',
      isDiskImage: true,
    });
    expect(s.partitions).toEqual({
      table: 'mbr',
      sectorSize: 512,
      gptHeaderCrcValid: null,
      gptEntriesCrcValid: null,
      diskGuid: null,
      entries: [
        {
          index: 1,
          type: '0x83',
          kind: 'linux',
          name: '',
          firstLba: 2048,
          lastLba: 16383,
          sizeBytes: 14336 * 512,
          bootable: true,
        },
      ],
      mbrBootCode: true,
      uefiCapable: false,
      legacyCapable: true,
    });
  });

  it('reads an MBR without boot code as not legacy-bootable', () => {
    const s = sniffImage(mbrDisk({ bootCode: false, bootable: false }));
    expect(s.partitions).toMatchObject({ mbrBootCode: false, legacyCapable: false });
    expect(s.partitions?.entries[0]?.bootable).toBe(false);
  });

  it('sees an MBR EFI partition (0xEF) as UEFI-capable', () => {
    expect(sniffImage(mbrDisk({ bootCode: false, type: 0xef })).partitions).toMatchObject({
      uefiCapable: true,
      entries: [{ kind: 'efi-system', type: '0xef' }],
    });
  });

  it('needs a sane entry: 0x55AA alone is not a partition table', () => {
    const empty = withBootSignature(new Uint8Array(4096));
    expect(sniffImage(empty)).toMatchObject({
      kind: 'data',
      description: 'DOS/MBR boot sector',
      isDiskImage: false,
    });
    const badStatus = mbrDisk({ bootCode: true });
    badStatus[446] = 0x12;
    expect(sniffImage(badStatus).kind).toBe('data');
    const zeroLength = withBootSignature(new Uint8Array(4096));
    mbrEntry(zeroLength, 0, 0x80, 0x83, 2048, 0);
    expect(sniffImage(zeroLength).kind).toBe('data');
  });
});

describe('sniffImage: other formats', () => {
  function iso(at: number): Uint8Array {
    const bytes = new Uint8Array(0x9800);
    bytes[at - 1] = 1;
    bytes.set(ascii('CD001'), at);
    return bytes;
  }

  it('finds ISO 9660 at each descriptor offset', () => {
    for (const at of [0x8001, 0x8801, 0x9001]) {
      expect(sniffImage(iso(at))).toEqual({
        kind: 'iso9660',
        description: 'ISO 9660 CD-ROM filesystem data',
        isDiskImage: false,
      });
    }
  });

  it('reports a hybrid ISO (with an MBR) as ISO, not MBR', () => {
    const hybrid = iso(0x8001);
    hybrid.set(mbrDisk({ bootCode: true }).subarray(0, 512));
    expect(sniffImage(hybrid).kind).toBe('iso9660');
  });

  it.each([
    ['gzip', [0x1f, 0x8b, 0x08, 0x00], 'gzip compressed data'],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00], 'XZ compressed data'],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x04], 'Zstandard compressed data'],
    ['bzip2', [...ascii('BZh9'), 0x31, 0x41, 0x59, 0x26], 'bzip2 compressed data'],
  ] as const)('recognises %s', (kind, magic, description) => {
    const bytes = new Uint8Array(2048);
    bytes.set(magic);
    expect(sniffImage(bytes)).toEqual({ kind, description, isDiskImage: false });
  });

  it('recognises HTML error pages', () => {
    const pages = [
      '<!DOCTYPE html><html><body>404</body></html>',
      '\ufeff\n  <HTML><HEAD><TITLE>403 Forbidden</TITLE></HEAD></HTML>',
      '<!-- nginx -->\n<head><title>502</title></head>',
      '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ];
    for (const page of pages) {
      expect(sniffImage(new TextEncoder().encode(page))).toEqual({
        kind: 'html',
        description: 'HTML document',
        isDiskImage: false,
      });
    }
  });

  it('recognises text', () => {
    const text = (s: string) => sniffImage(new TextEncoder().encode(s));
    expect(text('Access denied.\nPlease log in.\n')).toEqual({
      kind: 'text',
      description: 'ASCII text',
      isDiskImage: false,
    });
    expect(text('Accès refusé — réessayez\n').description).toBe('Unicode text, UTF-8 text');
    expect(text('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>').description).toBe(
      'XML document text',
    );
    expect(text('<p>not a page, just a fragment</p>').kind).toBe('text');
  });

  it('treats a UTF-8 sequence cut at the 4 KiB window as text', () => {
    const bytes = new TextEncoder().encode('a'.repeat(4095) + 'é and more');
    expect(sniffImage(bytes).kind).toBe('text');
  });

  it('calls binary bytes data', () => {
    const bytes = Uint8Array.from({ length: 8192 }, (_, i) => (i * 131 + 17) & 0xff);
    expect(sniffImage(bytes)).toEqual({ kind: 'data', description: 'data', isDiskImage: false });
    const withNul = new TextEncoder().encode('hello\0world');
    expect(sniffImage(withNul).kind).toBe('data');
    expect(sniffImage(new Uint8Array())).toEqual({
      kind: 'data',
      description: 'empty',
      isDiskImage: false,
    });
  });

  it('names filesystems and other hypervisors’ formats, still as data', () => {
    const ext4 = new Uint8Array(4096);
    const v = new DataView(ext4.buffer);
    v.setUint16(0x438, 0xef53, true);
    v.setUint32(0x460, 0x40, true);
    expect(sniffImage(ext4)).toEqual({
      kind: 'data',
      description: 'Linux ext4 filesystem data',
      isDiskImage: false,
    });
    const vmdk = new Uint8Array(4096);
    vmdk.set(ascii('KDMV'));
    expect(sniffImage(vmdk).description).toBe('VMware4 disk image');
    const vhdx = new Uint8Array(4096);
    vhdx.set(ascii('vhdxfile'));
    expect(sniffImage(vhdx).description).toBe('Microsoft Disk Image eXtended');
  });
});

describe('upstream helpers', () => {
  it('names what a non-qcow2 image is: raw with a partition table, else data', () => {
    expect(detectedFormatWord(sniffImage(gptDisk(efiAndLinux)))).toBe('raw');
    expect(detectedFormatWord(sniffImage(mbrDisk({ bootCode: false })))).toBe('raw');
    expect(detectedFormatWord(sniffImage(new Uint8Array(4096).fill(7)))).toBe('data');
  });

  it('lists the formats OVH rejects as "Bad format image"', () => {
    const gz = new Uint8Array([0x1f, 0x8b, 0x08, 0]);
    expect(isRecognisedNonDiskFormat(sniffImage(gz))).toBe(true);
    expect(isRecognisedNonDiskFormat(sniffImage(new TextEncoder().encode('<html></html>')))).toBe(
      true,
    );
    expect(isRecognisedNonDiskFormat(sniffImage(new TextEncoder().encode('hello\n')))).toBe(true);
    expect(isRecognisedNonDiskFormat(sniffImage(gptDisk(efiAndLinux)))).toBe(false);
    expect(isRecognisedNonDiskFormat(sniffImage(qcow2Header()))).toBe(false);
    expect(isRecognisedNonDiskFormat(sniffImage(new Uint8Array(4096).fill(7)))).toBe(false);
  });

  it('bundles them for the simulator', () => {
    expect(describeForUpstream(sniffImage(new Uint8Array(4096).fill(7)))).toEqual({
      formatWord: 'data',
      recognisedNonDisk: false,
      description: 'data',
    });
  });

  it('wants the first MiB', () => {
    expect(SNIFF_BYTES).toBe(1048576);
  });
});
