/**
 * QCOW2 header reader, after QEMU's docs/interop/qcow2.txt. All fields are big-endian.
 * It reads only the header (and the backing file name when it lies in the bytes given), and lists
 * the header-level faults that make `qemu-img convert` refuse the image.
 */

export const QCOW2_MAGIC = [0x51, 0x46, 0x49, 0xfb] as const; // 'QFI\xfb'

export interface Qcow2Info {
  version: number;
  virtualSize: number;
  clusterBits: number;
  /** The backing file name when it lies within the bytes read, `'(name beyond the bytes read)'` otherwise, null without one. */
  backingFile: string | null;
  /** `crypt_method != 0` (1 = legacy AES, 2 = LUKS). */
  encrypted: boolean;
  compressionType: 'zlib' | 'zstd';
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  /** Header-level corruption, one sentence each; empty for a sound header. */
  problems: string[];
}

/** Bits 0–4 of incompatible_features: dirty, corrupt, external data file, compression type, extended L2. */
const KNOWN_INCOMPATIBLE = 0b11111n;
const INCOMPATIBLE_CORRUPT = 1n << 1n;
const INCOMPATIBLE_EXTERNAL_DATA = 1n << 2n;
const INCOMPATIBLE_EXTENDED_L2 = 1n << 4n;
const V2_HEADER_LENGTH = 72;
const V3_MIN_HEADER_LENGTH = 104;
/** QEMU refuses cluster sizes outside 512 B – 2 MiB. */
const MIN_CLUSTER_BITS = 9;
const MAX_CLUSTER_BITS = 21;
/** QEMU's limit on backing file name length. */
const MAX_BACKING_NAME = 1023;

export function hasQcow2Magic(head: Uint8Array): boolean {
  return QCOW2_MAGIC.every((byte, i) => head[i] === byte);
}

function u64(view: DataView, offset: number): bigint | null {
  return offset + 8 <= view.byteLength ? view.getBigUint64(offset, false) : null;
}

function u32(view: DataView, offset: number): number | null {
  return offset + 4 <= view.byteLength ? view.getUint32(offset, false) : null;
}

/** Byte counts fit a double exactly below 2^53 (8 PiB); beyond that the header is nonsense anyway. */
function toNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function formatBytes(n: number): string {
  return `${n} bytes`;
}

/** Reads a QCOW2 header; the caller has checked the magic. */
export function readQcow2Header(head: Uint8Array, totalSize?: number): Qcow2Info {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const problems: string[] = [];
  const version = u32(view, 4) ?? 0;
  const info: Qcow2Info = {
    version,
    virtualSize: 0,
    clusterBits: 0,
    backingFile: null,
    encrypted: false,
    compressionType: 'zlib',
    l1Size: 0,
    l1TableOffset: 0,
    refcountTableOffset: 0,
    problems,
  };

  if (head.byteLength < V2_HEADER_LENGTH) {
    problems.push(
      `The QCOW2 header is truncated: ${head.byteLength} bytes read, at least ${V2_HEADER_LENGTH} needed.`,
    );
    return info;
  }
  if (version !== 2 && version !== 3) {
    problems.push(
      version === 1
        ? 'This is the old QCOW version 1 format, not QCOW2; convert it with `qemu-img convert -O qcow2`.'
        : `Unknown QCOW2 version ${version}; only versions 2 and 3 exist.`,
    );
  }

  const backingOffset = toNumber(u64(view, 8)!);
  const backingSize = u32(view, 16)!;
  const clusterBits = u32(view, 20)!;
  const virtualSize = toNumber(u64(view, 24)!);
  const cryptMethod = u32(view, 32)!;
  const l1Size = u32(view, 36)!;
  const l1TableOffset = toNumber(u64(view, 40)!);
  const refcountTableOffset = toNumber(u64(view, 48)!);
  const refcountTableClusters = u32(view, 56)!;
  Object.assign(info, {
    clusterBits,
    virtualSize,
    encrypted: cryptMethod !== 0,
    l1Size,
    l1TableOffset,
    refcountTableOffset,
  });

  let extendedL2 = false;
  if (version >= 3) {
    const headerLength = u32(view, 100);
    const incompatible = u64(view, 72);
    if (headerLength === null || incompatible === null) {
      problems.push(
        `The QCOW2 v3 header is truncated: ${head.byteLength} bytes read, at least ${V3_MIN_HEADER_LENGTH} needed.`,
      );
    } else {
      if (headerLength < V3_MIN_HEADER_LENGTH) {
        problems.push(
          `The QCOW2 v3 header length ${headerLength} is below the minimum of ${V3_MIN_HEADER_LENGTH}.`,
        );
      }
      const unknown = incompatible & ~KNOWN_INCOMPATIBLE;
      if (unknown !== 0n) {
        problems.push(`Unknown incompatible feature bits are set (0x${unknown.toString(16)}).`);
      }
      if (incompatible & INCOMPATIBLE_CORRUPT) {
        problems.push('The image is marked corrupt by QEMU (incompatible feature bit 1).');
      }
      if (incompatible & INCOMPATIBLE_EXTERNAL_DATA) {
        problems.push(
          'The guest data lives in an external data file that is not part of this image.',
        );
      }
      extendedL2 = (incompatible & INCOMPATIBLE_EXTENDED_L2) !== 0n;
      if (headerLength > V3_MIN_HEADER_LENGTH && head.byteLength > V3_MIN_HEADER_LENGTH) {
        const type = head[V3_MIN_HEADER_LENGTH];
        if (type === 1) info.compressionType = 'zstd';
        else if (type !== 0) problems.push(`Unknown compression type ${type}.`);
      }
    }
  }

  if (cryptMethod > 2) problems.push(`Unknown encryption method ${cryptMethod}.`);

  if (backingOffset !== 0) {
    if (backingSize > MAX_BACKING_NAME) {
      problems.push(
        `The backing file name is ${backingSize} bytes long, over QEMU's limit of ${MAX_BACKING_NAME}.`,
      );
    }
    const end = backingOffset + backingSize;
    info.backingFile =
      end <= head.byteLength
        ? new TextDecoder().decode(head.subarray(backingOffset, end))
        : '(name beyond the bytes read)';
  }

  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
    problems.push(
      `Cluster bits ${clusterBits} are out of range (${MIN_CLUSTER_BITS}–${MAX_CLUSTER_BITS}, i.e. 512 B to 2 MiB clusters).`,
    );
    return info; // alignment and L1 checks depend on a sane cluster size
  }

  const clusterSize = 2 ** clusterBits;
  const checkOffset = (label: string, offset: number, length: number) => {
    if (offset % clusterSize !== 0) {
      problems.push(
        `The ${label} offset ${offset} is not aligned to the ${clusterSize}-byte cluster size.`,
      );
    }
    if (totalSize !== undefined && offset + length > totalSize) {
      problems.push(
        `The ${label} (offset ${offset}, ${formatBytes(length)}) lies beyond the end of the ${formatBytes(totalSize)} file.`,
      );
    }
  };

  // Each L2 table covers clusterSize / entrySize clusters; extended L2 entries are 16 bytes.
  const l2Entries = clusterSize / (extendedL2 ? 16 : 8);
  const needed = Math.ceil(virtualSize / (clusterSize * l2Entries));
  if (l1Size < needed) {
    problems.push(
      `The L1 table has ${l1Size} entries but a virtual size of ${formatBytes(virtualSize)} needs ${needed}.`,
    );
  }
  if (l1Size > 0 && l1TableOffset === 0)
    problems.push(`The L1 table has ${l1Size} entries but its offset is 0.`);
  else if (l1Size > 0 || l1TableOffset !== 0) checkOffset('L1 table', l1TableOffset, l1Size * 8);
  if (refcountTableOffset === 0) problems.push('The refcount table offset is 0.');
  else checkOffset('refcount table', refcountTableOffset, refcountTableClusters * clusterSize);

  return info;
}
