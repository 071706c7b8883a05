/**
 * Random access to an image that may live behind HTTP: a `ByteSource` answers ranged reads, and
 * `boundedSource` puts a budget on them so that a hostile image cannot make the console fetch
 * without end. Browser-safe: no Node APIs.
 */

export interface ByteSource {
  /** Total bytes, or null when unknown (an HTTP server that gave no length). */
  readonly size: number | null;
  /**
   * The bytes in `[offset, offset + length)`. A read past the end returns the bytes that exist,
   * possibly none; it is not an error.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * At most 48 requests to the underlying source per bounded source. Reading an ESP takes a header,
 * the partition table, a boot sector, FAT sectors and a few directories (plus, for a qcow2, its L1
 * and L2 tables): about a dozen requests on the kit's images. 48 leaves room for scattered
 * directories while keeping a slow host to a bounded wait.
 */
export const DEFAULT_MAX_READS = 48;
/** At most 8 MiB fetched per bounded source: 128 blocks of 64 KiB, under 1 % of a typical image. */
export const DEFAULT_MAX_BYTES = 8 * MiB;
/**
 * Reads are fetched and cached in aligned 64 KiB blocks: the FAT reader asks for 32-byte entries
 * and 512-byte sectors, and one block holds a whole FAT12/16 table or many directory clusters.
 */
export const DEFAULT_BLOCK_SIZE = 64 * KiB;

export interface ReadBudget {
  maxReads?: number;
  maxBytes?: number;
  /** Power of two; `DEFAULT_BLOCK_SIZE` when absent. */
  blockSize?: number;
}

export interface ReadStats {
  /** Requests made to the underlying source. */
  reads: number;
  /** Bytes requested from the underlying source (whole blocks, clamped to its size when known). */
  bytes: number;
  /** Reads answered from the cache without a request. */
  cacheHits: number;
}

export interface BoundedSource extends ByteSource {
  stats(): ReadStats;
}

export class ReadBudgetExceeded extends Error {
  override readonly name = 'ReadBudgetExceeded';
  constructor(
    readonly limit: 'reads' | 'bytes',
    readonly max: number,
    readonly needed: number,
  ) {
    super(
      limit === 'reads'
        ? `Reading the image needed more than ${max} ${max === 1 ? 'request' : 'requests'} (request ${needed} was refused).`
        : `Reading the image needed more than ${max} bytes (${needed} bytes would have been fetched).`,
    );
  }
}

export function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`Read offset ${offset} is not a non-negative integer.`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`Read length ${length} is not a non-negative integer.`);
  }
}

/** A ByteSource over bytes already in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read(offset, length) {
      checkRange(offset, length);
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
  };
}

/**
 * Wraps `source` with a block cache and a budget. Each read is served from cached blocks; the
 * missing ones are fetched as runs of consecutive blocks, one request per run. Before a request
 * would pass `maxReads` or `maxBytes` it fails with `ReadBudgetExceeded`, so the cache never holds
 * more than `maxBytes`.
 */
export function boundedSource(source: ByteSource, budget: ReadBudget = {}): BoundedSource {
  const maxReads = budget.maxReads ?? DEFAULT_MAX_READS;
  const maxBytes = budget.maxBytes ?? DEFAULT_MAX_BYTES;
  const blockSize = budget.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1 || (blockSize & (blockSize - 1)) !== 0) {
    throw new RangeError(`Block size ${blockSize} is not a power of two.`);
  }
  // Settled blocks and blocks in flight: concurrent readers of one block share its request.
  const blocks = new Map<number, Promise<Uint8Array>>();
  const stats: ReadStats = { reads: 0, bytes: 0, cacheHits: 0 };
  const size = source.size;

  function fetchRun(first: number, count: number): void {
    const start = first * blockSize;
    const end =
      size === null ? start + count * blockSize : Math.min(size, start + count * blockSize);
    const length = end - start;
    if (stats.reads + 1 > maxReads)
      throw new ReadBudgetExceeded('reads', maxReads, stats.reads + 1);
    if (stats.bytes + length > maxBytes) {
      throw new ReadBudgetExceeded('bytes', maxBytes, stats.bytes + length);
    }
    stats.reads++;
    stats.bytes += length;
    const run = source.read(start, length);
    for (let i = 0; i < count; i++) {
      const block = first + i;
      const slice = run.then((bytes) =>
        bytes.subarray(Math.min(bytes.byteLength, i * blockSize), (i + 1) * blockSize),
      );
      // A failed request is forgotten so a later read may try again (and pay for it again).
      slice.catch(() => blocks.delete(block));
      blocks.set(block, slice);
    }
  }

  return {
    size,
    stats: () => ({ ...stats }),
    async read(offset, length) {
      checkRange(offset, length);
      const end = size === null ? offset + length : Math.min(size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const first = Math.floor(offset / blockSize);
      const last = Math.floor((end - 1) / blockSize);
      let missingFrom: number | null = null;
      let fetched = false;
      for (let block = first; block <= last + 1; block++) {
        const missing = block <= last && !blocks.has(block);
        if (missing && missingFrom === null) missingFrom = block;
        if (!missing && missingFrom !== null) {
          fetchRun(missingFrom, block - missingFrom);
          fetched = true;
          missingFrom = null;
        }
      }
      if (!fetched) stats.cacheHits++;

      const out = new Uint8Array(end - offset);
      let filled = 0;
      for (let block = first; block <= last; block++) {
        const bytes = await blocks.get(block)!;
        const blockStart = block * blockSize;
        const from = Math.max(0, offset - blockStart);
        const to = Math.min(bytes.byteLength, end - blockStart);
        if (to > from) out.set(bytes.subarray(from, to), filled);
        filled += Math.max(0, to - from);
        // A short block is the end of the source (its size was unknown or it shrank).
        if (bytes.byteLength < blockSize) break;
      }
      return filled === out.byteLength ? out : out.slice(0, filled);
    },
  };
}
