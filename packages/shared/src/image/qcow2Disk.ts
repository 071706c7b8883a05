/**
 * The virtual disk inside a qcow2 file, as a ByteSource: guest offsets are mapped through the L1
 * and L2 tables to host clusters (QEMU's docs/interop/qcow2.txt). Reads only what a read needs, so
 * over HTTP it fetches the header, the L1 entries, the L2 tables and the data clusters touched.
 * Browser-safe: decompression is injected.
 */
import type { ByteSource } from './byteSource.ts';
import { checkRange } from './byteSource.ts';
import { hasQcow2Magic, readQcow2Header } from './qcow2.ts';
import type { Qcow2Info } from './qcow2.ts';

/**
 * Decompresses one compressed cluster to `clusterSize` bytes. For `zlib` the data is a raw deflate
 * stream (no zlib header) that may be followed by junk up to the next 512-byte boundary; for `zstd`
 * it is exactly one Zstandard frame (the reader cuts the junk off, since most zstd decoders refuse
 * trailing bytes). Implementations should stop at `clusterSize` bytes of output.
 */
export type Decompress = (
  kind: 'zlib' | 'zstd',
  data: Uint8Array,
  clusterSize: number,
) => Promise<Uint8Array>;

export type Qcow2DiskErrorReason =
  | 'not-qcow2'
  | 'backing-file'
  | 'encrypted'
  | 'external-data'
  | 'extended-l2'
  | 'no-decompressor'
  | 'corrupt';

/** What this reader refuses or finds broken in a qcow2 file; `message` is one sentence for a person. */
export class Qcow2DiskError extends Error {
  override readonly name = 'Qcow2DiskError';
  constructor(
    readonly reason: Qcow2DiskErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface Qcow2DiskOptions {
  /** Needed only for images with compressed clusters; without it such a read fails clearly. */
  decompress?: Decompress;
}

export interface Qcow2Disk extends ByteSource {
  /** The virtual disk size. */
  readonly size: number;
  readonly info: Qcow2Info;
}

/** The header, its extensions and the backing file name all lie in the first cluster (≤ 2 MiB); 64 KiB covers real images. */
const HEADER_BYTES = 64 * 1024;
const INCOMPATIBLE_EXTERNAL_DATA = 1n << 2n;
const INCOMPATIBLE_EXTENDED_L2 = 1n << 4n;
/** Bits 9–55 of L1 and standard L2 entries: a cluster-aligned host offset. */
const OFFSET_MASK = 0x00ff_ffff_ffff_fe00n;
const L2_COMPRESSED = 1n << 62n;
const L2_ZERO = 1n;
const COMPRESSED_SECTOR = 512;
/** L2 tables kept in memory; with 64 KiB clusters one table maps 512 MiB of disk. */
const L2_CACHE_BYTES = 4 * 1024 * 1024;
/** Decompressed clusters kept: the FAT reader reads many small pieces of the same cluster. */
const DECOMPRESSED_CACHE_ENTRIES = 8;

function bigAt(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, false);
}

function toOffset(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** Keeps at most `limit` entries, dropping the least recently used. */
class Lru<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly limit: number) {}
  get(key: number): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: number, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
}

/**
 * Length of the single Zstandard frame at the start of `data` (RFC 8878 §3.1.1), or null when the
 * bytes do not parse as one; the caller then hands over everything and lets the decoder judge.
 */
export function zstdFrameLength(data: Uint8Array): number | null {
  if (data.byteLength < 6) return null;
  if (data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) return null;
  const descriptor = data[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const checksum = (descriptor & 0x04) !== 0;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  let at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
  for (;;) {
    if (at + 3 > data.byteLength) return null;
    const header = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16);
    const last = (header & 1) !== 0;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) return null; // reserved block type
    at += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  at += checksum ? 4 : 0;
  return at <= data.byteLength ? at : null;
}

/** Opens the virtual disk of the qcow2 file `file`; refuses what it cannot read with a `Qcow2DiskError`. */
export async function openQcow2Disk(
  file: ByteSource,
  options: Qcow2DiskOptions = {},
): Promise<Qcow2Disk> {
  const head = await file.read(0, HEADER_BYTES);
  if (!hasQcow2Magic(head)) throw new Qcow2DiskError('not-qcow2', 'The file is not a qcow2 image.');
  const fileSize = file.size;
  const info = readQcow2Header(head, fileSize ?? undefined);

  if (info.backingFile !== null) {
    throw new Qcow2DiskError(
      'backing-file',
      `The qcow2 image depends on a backing file (${info.backingFile}); flatten it with \`qemu-img convert -O qcow2\`.`,
    );
  }
  if (info.encrypted) {
    throw new Qcow2DiskError(
      'encrypted',
      'The qcow2 image is encrypted, so its contents cannot be read without the key.',
    );
  }
  const incompatible = info.version >= 3 && head.byteLength >= 80 ? bigAt(head, 72) : 0n;
  if (incompatible & INCOMPATIBLE_EXTERNAL_DATA) {
    throw new Qcow2DiskError(
      'external-data',
      'The qcow2 image keeps its data in an external data file that is not part of the image.',
    );
  }
  if (incompatible & INCOMPATIBLE_EXTENDED_L2) {
    throw new Qcow2DiskError(
      'extended-l2',
      'The qcow2 image uses extended L2 entries (subclusters), which this reader does not support; convert it with `qemu-img convert -O qcow2`.',
    );
  }
  if (info.problems.length > 0) throw new Qcow2DiskError('corrupt', info.problems[0]!);

  // The header check guarantees l1_size covers the virtual size, so every L1 index read is in the table.
  const { clusterBits, version, virtualSize, l1TableOffset, compressionType } = info;
  const clusterSize = 2 ** clusterBits;
  const l2Entries = clusterSize / 8;
  const l1Cache = new Map<number, number>();
  const l2Cache = new Lru<Uint8Array>(Math.max(1, Math.floor(L2_CACHE_BYTES / clusterSize)));
  const clusterCache = new Lru<Uint8Array>(DECOMPRESSED_CACHE_ENTRIES);
  // Compressed descriptors split 62 bits between a byte offset and a count of extra 512-byte sectors.
  const sectorBits = BigInt(clusterBits - 8);
  const offsetBits = 62n - sectorBits;

  const pastEnd = (what: string, offset: number, length: number, guest: number) =>
    new Qcow2DiskError(
      'corrupt',
      `The qcow2 ${what} for disk offset ${guest} lies at bytes ${offset}–${offset + length}, past the end of the ${fileSize === null ? 'file' : `${fileSize}-byte file`}.`,
    );

  async function readExact(what: string, offset: number, length: number, guest: number) {
    if (fileSize !== null && offset + length > fileSize) throw pastEnd(what, offset, length, guest);
    const bytes = await file.read(offset, length);
    if (bytes.byteLength < length) throw pastEnd(what, offset, length, guest);
    return bytes;
  }

  function checkAligned(what: string, offset: number, guest: number): void {
    if (offset % clusterSize !== 0) {
      throw new Qcow2DiskError(
        'corrupt',
        `The qcow2 ${what} for disk offset ${guest} starts at byte ${offset}, which is not aligned to the ${clusterSize}-byte cluster size.`,
      );
    }
  }

  async function l2Table(l1Index: number, guest: number): Promise<Uint8Array | null> {
    let offset = l1Cache.get(l1Index);
    if (offset === undefined) {
      const entry = await readExact('L1 entry', l1TableOffset + l1Index * 8, 8, guest);
      offset = toOffset(bigAt(entry, 0) & OFFSET_MASK);
      l1Cache.set(l1Index, offset);
    }
    if (offset === 0) return null;
    const cached = l2Cache.get(offset);
    if (cached) return cached;
    checkAligned('L2 table', offset, guest);
    const table = await readExact('L2 table', offset, clusterSize, guest);
    l2Cache.set(offset, table);
    return table;
  }

  async function compressedCluster(entry: bigint, guest: number): Promise<Uint8Array> {
    const hostOffset = toOffset(entry & ((1n << offsetBits) - 1n));
    const cached = clusterCache.get(hostOffset);
    if (cached) return cached;
    const sectors = Number((entry >> offsetBits) & ((1n << sectorBits) - 1n)) + 1;
    const length = sectors * COMPRESSED_SECTOR - (hostOffset % COMPRESSED_SECTOR);
    if (fileSize !== null && hostOffset >= fileSize) {
      throw pastEnd('compressed cluster', hostOffset, length, guest);
    }
    // The last sector may run past the end of the file: the data itself ends before it.
    const data = await file.read(hostOffset, length);
    if (data.byteLength === 0) throw pastEnd('compressed cluster', hostOffset, length, guest);
    if (!options.decompress) {
      throw new Qcow2DiskError(
        'no-decompressor',
        `The qcow2 image has ${compressionType}-compressed clusters and no ${compressionType} decoder was given.`,
      );
    }
    const frame = compressionType === 'zstd' ? (zstdFrameLength(data) ?? data.byteLength) : null;
    let cluster: Uint8Array;
    try {
      cluster = await options.decompress(
        compressionType,
        frame === null ? data : data.subarray(0, frame),
        clusterSize,
      );
    } catch (err) {
      throw new Qcow2DiskError(
        'corrupt',
        `The ${compressionType}-compressed qcow2 cluster for disk offset ${guest} does not decompress: ${err instanceof Error ? err.message : String(err)}.`,
      );
    }
    if (cluster.byteLength < clusterSize) {
      throw new Qcow2DiskError(
        'corrupt',
        `The compressed qcow2 cluster for disk offset ${guest} holds ${cluster.byteLength} bytes instead of ${clusterSize}.`,
      );
    }
    cluster = cluster.subarray(0, clusterSize);
    clusterCache.set(hostOffset, cluster);
    return cluster;
  }

  /** Copies guest bytes `[from, to)` of cluster `index` into `out` at `outAt`; zeros stay zeros. */
  async function readCluster(
    index: number,
    from: number,
    to: number,
    out: Uint8Array,
    outAt: number,
  ) {
    const guest = index * clusterSize + from;
    const table = await l2Table(Math.floor(index / l2Entries), guest);
    if (!table) return; // unallocated, and there is no backing file to fall through to
    const entry = bigAt(table, (index % l2Entries) * 8);
    if (entry & L2_COMPRESSED) {
      const cluster = await compressedCluster(entry, guest);
      out.set(cluster.subarray(from, to), outAt);
      return;
    }
    // Bit 0 marks an all-zero cluster in version 3; in version 2 it is reserved.
    if (version >= 3 && entry & L2_ZERO) return;
    const hostOffset = toOffset(entry & OFFSET_MASK);
    if (hostOffset === 0) return;
    checkAligned('data cluster', hostOffset, guest);
    if (fileSize !== null && hostOffset + clusterSize > fileSize) {
      throw pastEnd('data cluster', hostOffset, clusterSize, guest);
    }
    out.set(await readExact('data cluster', hostOffset + from, to - from, guest), outAt);
  }

  return {
    size: virtualSize,
    info,
    async read(offset, length) {
      checkRange(offset, length);
      const end = Math.min(virtualSize, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const out = new Uint8Array(end - offset);
      for (let at = offset; at < end;) {
        const index = Math.floor(at / clusterSize);
        const from = at - index * clusterSize;
        const to = Math.min(clusterSize, end - index * clusterSize);
        await readCluster(index, from, to, out, at - offset);
        at += to - from;
      }
      return out;
    },
  };
}
