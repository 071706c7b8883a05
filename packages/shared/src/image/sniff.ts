/**
 * Image format sniffing from the first bytes of a file: what OVH's BYOI installer would find when it
 * looks at a downloaded image. Pure TypeScript on a Uint8Array so the same code runs in the BFF's
 * preflight, the OVH simulator and the browser.
 */
import { readPartitionTable } from './partitions.ts';
import type { PartitionInfo } from './partitions.ts';
import { hasQcow2Magic, readQcow2Header } from './qcow2.ts';
import type { Qcow2Info } from './qcow2.ts';

export type { PartitionEntry, PartitionInfo, PartitionKind } from './partitions.ts';
export type { Qcow2Info } from './qcow2.ts';
export { crc32 } from './crc32.ts';

/** How much of the file `sniffImage` wants: enough for a GPT entry array on 4Kn disks and ISO descriptors. */
export const SNIFF_BYTES = 1024 * 1024;

export type ImageKind =
  | 'qcow2'
  | 'raw-gpt'
  | 'raw-mbr'
  | 'iso9660'
  | 'gzip'
  | 'xz'
  | 'zstd'
  | 'bzip2'
  | 'html'
  | 'text'
  | 'data';

export interface ImageSniff {
  kind: ImageKind;
  /** A `file(1)`-style description, e.g. `QEMU QCOW2 Image (v3)` or `data`. */
  description: string;
  /** A qcow2, or raw bytes that start with a partition table. */
  isDiskImage: boolean;
  qcow2?: Qcow2Info;
  partitions?: PartitionInfo;
}

export interface SniffOptions {
  /** The whole file's size, when known: lets the qcow2 reader flag tables that point past the end. */
  totalSize?: number;
}

const ISO_DESCRIPTOR_OFFSETS = [0x8001, 0x8801, 0x9001];
const TEXT_WINDOW = 4096;
/** How early `<head` or `<body` must appear for a page without a doctype to count as HTML. */
const HTML_TAG_WINDOW = 1024;
/** Share of printable characters above which the bytes are text. */
const TEXT_THRESHOLD = 0.95;

function startsWith(head: Uint8Array, offset: number, magic: readonly number[] | string): boolean {
  const bytes = typeof magic === 'string' ? Array.from(magic, (c) => c.charCodeAt(0)) : magic;
  if (offset + bytes.length > head.byteLength) return false;
  return bytes.every((byte, i) => head[offset + i] === byte);
}

const COMPRESSED: { kind: ImageKind; magic: readonly number[]; description: string }[] = [
  // gzip's third byte is the method, always 8 (deflate).
  { kind: 'gzip', magic: [0x1f, 0x8b, 0x08], description: 'gzip compressed data' },
  { kind: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], description: 'XZ compressed data' },
  { kind: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], description: 'Zstandard compressed data' },
];

function isBzip2(head: Uint8Array): boolean {
  const level = head[3];
  return startsWith(head, 0, 'BZh') && level !== undefined && level >= 0x31 && level <= 0x39;
}

/**
 * Formats that are neither disk images OVH accepts nor in DESIGN.md's "Bad format" list, named so
 * an operator sees what went wrong (a partition instead of a whole disk, another hypervisor's format).
 */
function describeOtherData(head: Uint8Array): string | null {
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (startsWith(head, 0, 'KDMV')) return 'VMware4 disk image';
  if (startsWith(head, 0, 'vhdxfile')) return 'Microsoft Disk Image eXtended';
  if (startsWith(head, 0, 'conectix')) return 'Microsoft Disk Image, Virtual Server or Virtual PC';
  if (head.byteLength >= 0x44 && v.getUint32(0x40, true) === 0xbeda107f)
    return 'VirtualBox Disk Image';
  if (startsWith(head, 0, 'QED\0')) return 'QEMU QED Image';
  if (startsWith(head, 0, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe])) return 'LUKS encrypted file';
  if (startsWith(head, 0, 'XFSB')) return 'SGI XFS filesystem data';
  if (startsWith(head, 0x10040, '_BHRfS_M')) return 'BTRFS Filesystem';
  if (startsWith(head, 4086, 'SWAPSPACE2')) return 'Linux swap file';
  if (head.byteLength >= 0x468 && v.getUint16(0x438, true) === 0xef53) {
    const compat = v.getUint32(0x45c, true);
    const incompat = v.getUint32(0x460, true);
    const flavour = incompat & 0x40 ? 'ext4' : compat & 0x4 ? 'ext3' : 'ext2';
    return `Linux ${flavour} filesystem data`;
  }
  if (head[510] === 0x55 && head[511] === 0xaa) {
    if (startsWith(head, 3, 'NTFS    ')) return 'DOS/MBR boot sector, NTFS';
    if (startsWith(head, 0x52, 'FAT32')) return 'DOS/MBR boot sector, FAT (32 bit)';
    if (startsWith(head, 0x36, 'FAT1')) return 'DOS/MBR boot sector, FAT (16 bit)';
    return 'DOS/MBR boot sector';
  }
  return null;
}

/** Skips a UTF-8 byte-order mark and ASCII whitespace. */
function leadingText(head: Uint8Array, max: number): string {
  let at = startsWith(head, 0, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (at < head.byteLength && [0x20, 0x09, 0x0a, 0x0d, 0x0c].includes(head[at]!)) at++;
  return new TextDecoder('utf-8').decode(head.subarray(at, at + max)).toLowerCase();
}

function isHtml(head: Uint8Array): boolean {
  const text = leadingText(head, HTML_TAG_WINDOW);
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return true;
  return text.startsWith('<') && /<(html|head|body)[\s/>]/.test(text);
}

/** Length of a valid UTF-8 multi-byte sequence at `at`, 0 when invalid; a sequence cut by the window counts as valid. */
function utf8SequenceLength(bytes: Uint8Array, at: number, cutAtEnd: boolean): number {
  const lead = bytes[at]!;
  const length =
    lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xf0 && lead <= 0xf4
          ? 4
          : 0;
  if (length === 0) return 0;
  for (let i = 1; i < length; i++) {
    const next = bytes[at + i];
    if (next === undefined) return cutAtEnd ? length : 0;
    if ((next & 0xc0) !== 0x80) return 0;
  }
  return length;
}

/** 'ascii' or 'utf8' when the first 4 KiB are mostly printable text without NUL bytes, else null. */
function textEncoding(head: Uint8Array): 'ascii' | 'utf8' | null {
  const window = head.subarray(0, TEXT_WINDOW);
  const cut = head.byteLength > TEXT_WINDOW;
  let printable = 0;
  let multibyte = false;
  for (let at = 0; at < window.byteLength;) {
    const byte = window[at]!;
    if (byte === 0) return null;
    if (byte < 0x80) {
      // Printable ASCII plus tab, LF, VT, FF, CR, backspace and escape (ANSI colours in logs).
      if ((byte >= 0x20 && byte < 0x7f) || (byte >= 0x08 && byte <= 0x0d) || byte === 0x1b)
        printable++;
      at++;
      continue;
    }
    const length = utf8SequenceLength(window, at, cut);
    if (length === 0) {
      at++;
      continue;
    }
    multibyte = true;
    printable += length;
    at += length;
  }
  if (printable < window.byteLength * TEXT_THRESHOLD) return null;
  return multibyte ? 'utf8' : 'ascii';
}

/** Identifies an image from its first bytes (up to `SNIFF_BYTES`); `totalSize` sharpens the qcow2 checks. */
export function sniffImage(head: Uint8Array, opts: SniffOptions = {}): ImageSniff {
  if (head.byteLength === 0) return { kind: 'data', description: 'empty', isDiskImage: false };

  if (hasQcow2Magic(head)) {
    const qcow2 = readQcow2Header(head, opts.totalSize);
    const name = qcow2.version === 1 ? 'QEMU QCOW Image' : 'QEMU QCOW2 Image';
    return { kind: 'qcow2', description: `${name} (v${qcow2.version})`, isDiskImage: true, qcow2 };
  }

  // Before the MBR check: hybrid ISOs (most Linux installers) also carry an MBR partition table.
  if (ISO_DESCRIPTOR_OFFSETS.some((offset) => startsWith(head, offset, 'CD001'))) {
    return { kind: 'iso9660', description: 'ISO 9660 CD-ROM filesystem data', isDiskImage: false };
  }

  for (const { kind, magic, description } of COMPRESSED) {
    if (startsWith(head, 0, magic)) return { kind, description, isDiskImage: false };
  }
  if (isBzip2(head))
    return { kind: 'bzip2', description: 'bzip2 compressed data', isDiskImage: false };

  const partitions = readPartitionTable(head);
  if (partitions?.table === 'gpt') {
    return {
      kind: 'raw-gpt',
      description: 'DOS/MBR boot sector; GPT partition table',
      isDiskImage: true,
      partitions,
    };
  }
  if (partitions) {
    return { kind: 'raw-mbr', description: 'DOS/MBR boot sector', isDiskImage: true, partitions };
  }

  if (isHtml(head)) return { kind: 'html', description: 'HTML document', isDiskImage: false };
  const encoding = textEncoding(head);
  if (encoding) {
    const xml = leadingText(head, 5) === '<?xml';
    const description = xml
      ? 'XML document text'
      : encoding === 'ascii'
        ? 'ASCII text'
        : 'Unicode text, UTF-8 text';
    return { kind: 'text', description, isDiskImage: false };
  }

  return { kind: 'data', description: describeOtherData(head) ?? 'data', isDiskImage: false };
}

/**
 * The `<x>` in "image provided format is <x> which does not match expected qcow2 format": `raw` when
 * the bytes start with a partition table, `data` for anything else that is not qcow2.
 */
export function detectedFormatWord(s: ImageSniff): 'raw' | 'data' {
  return s.partitions ? 'raw' : 'data';
}

const NON_DISK_KINDS: ReadonlySet<ImageKind> = new Set([
  'iso9660',
  'gzip',
  'xz',
  'zstd',
  'bzip2',
  'html',
  'text',
]);

/** True for the formats OVH rejects outright with "Bad format image, expected: qcow2, raw.". */
export function isRecognisedNonDiskFormat(s: ImageSniff): boolean {
  return NON_DISK_KINDS.has(s.kind);
}

/** Everything the upstream messages of DESIGN.md need from a sniff, in one object. */
export function describeForUpstream(s: ImageSniff): {
  formatWord: 'raw' | 'data';
  recognisedNonDisk: boolean;
  description: string;
} {
  return {
    formatWord: detectedFormatWord(s),
    recognisedNonDisk: isRecognisedNonDiskFormat(s),
    description: s.description,
  };
}
