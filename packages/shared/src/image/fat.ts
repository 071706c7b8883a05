/**
 * A read-only FAT12/16/32 reader over a ByteSource, after Microsoft's "FAT: General Overview of
 * On-Disk Format" (FAT32 File System Specification 1.03). It reads only what it is asked about: the
 * boot sector, the FAT sectors a chain goes through, and the directory clusters listed. Every loop
 * over on-disk data is bounded, so a hostile image ends in a `FatError`, never in a hang.
 */
import type { ByteSource } from './byteSource.ts';

export type FatType = 'FAT12' | 'FAT16' | 'FAT32';

/** `not-fat`: the partition does not start with a FAT boot sector; `corrupt`: it does, but its structures are broken. */
export type FatErrorReason = 'not-fat' | 'corrupt';

export class FatError extends Error {
  override readonly name = 'FatError';
  constructor(
    readonly reason: FatErrorReason,
    message: string,
    /** For `not-fat`: what the partition holds instead, e.g. `only zeros`. */
    readonly found: string | null = null,
  ) {
    super(message);
  }
}

export interface FatEntry {
  /** The long name when a valid one precedes the entry, else the 8.3 name with NT case flags applied. */
  name: string;
  /** The 8.3 name as stored, e.g. `GRUBX64.EFI`. */
  shortName: string;
  directory: boolean;
  size: number;
  firstCluster: number;
}

export interface FatListing {
  entries: FatEntry[];
  /** More entries exist than were asked for. */
  truncated: boolean;
}

export interface FatVolume {
  readonly type: FatType;
  readonly bytesPerSector: number;
  readonly clusterBytes: number;
  readonly clusterCount: number;
  /** FAT32: the root directory's first cluster; FAT12/16: 0 (the root is a fixed region). */
  readonly rootCluster: number;
  /** Lists a directory (the root when `dir` is absent), without `.` and `..`, deleted entries and the volume label. */
  readDir(dir?: FatEntry, maxEntries?: number): Promise<FatListing>;
  /** The entry a path names (`\` or `/` separated, from the root), matched case-insensitively; null when absent. */
  find(path: string): Promise<FatEntry | null>;
  /** The first `maxBytes` bytes of a file (all of it when smaller). */
  readFile(entry: FatEntry, maxBytes: number): Promise<Uint8Array>;
}

/** The specification's limit: a directory holds at most 65,536 32-byte entries (2 MiB). */
export const MAX_DIR_SLOTS = 65_536;
const SLOT = 32;
/** Cluster counts below these make FAT12, then FAT16; the rest is FAT32 (the specification's rule). */
const FAT12_MAX_CLUSTERS = 4085;
const FAT16_MAX_CLUSTERS = 65_525;
/** FAT32 entries are 28 bits; 0x0FFFFFF7 and above are the bad and end-of-chain markers. */
const FAT32_MAX_CLUSTER = 0x0fff_fff6;
/** FAT sectors kept while following chains. */
const FAT_SECTOR_CACHE = 64;
const LFN_ATTR = 0x0f;
const ATTR_VOLUME = 0x08;
const ATTR_DIRECTORY = 0x10;
const DELETED = 0xe5;
/** Offsets of the 13 UCS-2 characters in a long-name entry. */
const LFN_CHARS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
/** A long name has at most 255 characters: 20 entries of 13. */
const LFN_MAX_PARTS = 20;

const corrupt = (message: string) => new FatError('corrupt', message);

/**
 * Case-folds a FAT name for comparison: FAT matches names case-insensitively by upper-casing each
 * character; characters whose upper case is longer (ß) are kept, as FAT's per-character table does.
 */
export function foldFatName(name: string): string {
  let out = '';
  for (const ch of name) {
    const upper = ch.toUpperCase();
    out += upper.length === ch.length ? upper : ch;
  }
  return out;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function shortNameChecksum(raw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + raw[i]!) & 0xff;
  return sum;
}

/** OEM code-page bytes: ASCII as is, the rest as U+FFFD (ESP names that matter are ASCII). */
function oemText(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes)
    .replace(/[\x80-\xff]/g, '\ufffd')
    .replace(/ +$/, '');
}

/** A name that can be a path component: no separators, NUL or control characters. */
function usableName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  return ![...name].some((ch) => ch === '\\' || ch === '/' || ch.charCodeAt(0) < 0x20);
}

interface Bpb {
  type: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  fatOffset: number;
  rootDirOffset: number;
  rootDirSlots: number;
  dataOffset: number;
  clusterCount: number;
  rootCluster: number;
}

/** Null for a FAT boot sector: a jump instruction and the 0x55 0xAA signature; else what is there instead. */
function describeNonFat(boot: Uint8Array): string | null {
  const jump = boot[0] === 0xeb || boot[0] === 0xe9;
  const signature = boot[510] === 0x55 && boot[511] === 0xaa;
  if (jump && signature) return null;
  return boot.every((b) => b === 0) ? 'only zeros' : 'data without a FAT boot sector';
}

/** Validates the BIOS parameter block and derives the layout; offsets are relative to the partition. */
function parseBpb(boot: Uint8Array, partitionBytes: number): Bpb {
  const nonFat = describeNonFat(boot);
  if (nonFat) {
    throw new FatError('not-fat', `The partition holds ${nonFat}, not a FAT filesystem.`, nonFat);
  }
  const v = new DataView(boot.buffer, boot.byteOffset, boot.byteLength);
  const bytesPerSector = v.getUint16(11, true);
  const sectorsPerCluster = boot[13]!;
  const reserved = v.getUint16(14, true);
  const fats = boot[16]!;
  const rootEntries = v.getUint16(17, true);
  const total16 = v.getUint16(19, true);
  const fatSize16 = v.getUint16(22, true);
  const total32 = v.getUint32(32, true);
  const fatSize32 = v.getUint32(36, true);

  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) {
    throw corrupt(
      `The FAT boot sector gives ${bytesPerSector} bytes per sector; FAT allows 512, 1024, 2048 or 4096.`,
    );
  }
  if (!isPowerOfTwo(sectorsPerCluster) || sectorsPerCluster > 128) {
    throw corrupt(
      `The FAT boot sector gives ${sectorsPerCluster} sectors per cluster; FAT allows a power of two from 1 to 128.`,
    );
  }
  if (reserved === 0)
    throw corrupt('The FAT boot sector gives 0 reserved sectors; at least 1 is needed.');
  // The specification recommends 2 and accepts 1; mkfs.fat makes up to 4.
  if (fats === 0 || fats > 4) {
    throw corrupt(`The FAT boot sector gives ${fats} file allocation tables; FAT uses 1 to 4.`);
  }

  const fatSectors = fatSize16 !== 0 ? fatSize16 : fatSize32;
  const totalSectors = total16 !== 0 ? total16 : total32;
  if (fatSectors === 0) throw corrupt('The FAT boot sector gives a FAT size of 0 sectors.');
  if (totalSectors === 0) throw corrupt('The FAT boot sector gives a total of 0 sectors.');
  const fsBytes = totalSectors * bytesPerSector;
  if (fsBytes > partitionBytes) {
    throw corrupt(
      `The FAT filesystem claims ${fsBytes} bytes but its partition has ${partitionBytes}.`,
    );
  }
  const rootDirSectors = Math.ceil((rootEntries * SLOT) / bytesPerSector);
  const metaSectors = reserved + fats * fatSectors + rootDirSectors;
  if (metaSectors >= totalSectors) {
    throw corrupt(
      `The FAT tables and root directory (${metaSectors} sectors) leave no room for data in ${totalSectors} sectors.`,
    );
  }
  const clusterCount = Math.floor((totalSectors - metaSectors) / sectorsPerCluster);
  if (clusterCount === 0) throw corrupt('The FAT filesystem has no data cluster.');
  const type: FatType =
    clusterCount < FAT12_MAX_CLUSTERS
      ? 'FAT12'
      : clusterCount < FAT16_MAX_CLUSTERS
        ? 'FAT16'
        : 'FAT32';

  // The cluster count decides the type; the BPB's layout must agree with it.
  const fat32Layout = fatSize16 === 0;
  if (type === 'FAT32' && !fat32Layout) {
    throw corrupt(
      `The FAT boot sector has a FAT12/16 layout but ${clusterCount} clusters, which makes FAT32.`,
    );
  }
  if (type !== 'FAT32' && fat32Layout) {
    throw corrupt(
      `The FAT boot sector has a FAT32 layout but only ${clusterCount} clusters, which makes ${type}; FAT32 needs at least ${FAT16_MAX_CLUSTERS}.`,
    );
  }
  if (type === 'FAT32' && rootEntries !== 0) {
    throw corrupt(
      `The FAT32 boot sector gives ${rootEntries} root directory entries; FAT32 needs 0.`,
    );
  }
  if (type !== 'FAT32' && rootEntries === 0) {
    throw corrupt(`The ${type} boot sector gives 0 root directory entries.`);
  }
  const maxCluster = clusterCount + 1;
  if (maxCluster > FAT32_MAX_CLUSTER) {
    throw corrupt(`The FAT filesystem has ${clusterCount} clusters, more than FAT32 can address.`);
  }
  const entryBits = type === 'FAT12' ? 12 : type === 'FAT16' ? 16 : 32;
  if (fatSectors * bytesPerSector * 8 < (maxCluster + 1) * entryBits) {
    throw corrupt(`The FAT of ${fatSectors} sectors is too small for ${clusterCount} clusters.`);
  }

  let activeFat = 0;
  let rootCluster = 0;
  if (type === 'FAT32') {
    const extFlags = v.getUint16(40, true);
    // Bit 7 set: only the FAT numbered in bits 0–3 is in use (mirroring disabled).
    if (extFlags & 0x80) activeFat = extFlags & 0x0f;
    if (activeFat >= fats) {
      throw corrupt(
        `The FAT32 boot sector names FAT ${activeFat} as active but there are ${fats}.`,
      );
    }
    rootCluster = v.getUint32(44, true);
    if (rootCluster < 2 || rootCluster > maxCluster) {
      throw corrupt(
        `The FAT32 root directory starts at cluster ${rootCluster}, outside 2–${maxCluster}.`,
      );
    }
  }

  return {
    type,
    bytesPerSector,
    sectorsPerCluster,
    fatOffset: (reserved + activeFat * fatSectors) * bytesPerSector,
    rootDirOffset: (reserved + fats * fatSectors) * bytesPerSector,
    rootDirSlots: rootEntries,
    dataOffset: metaSectors * bytesPerSector,
    clusterCount,
    rootCluster,
  };
}

interface LongName {
  checksum: number;
  /** The sequence number the next (physically following) entry must carry. */
  next: number;
  parts: string[];
}

function lfnPart(slot: Uint8Array): string {
  let text = '';
  for (const at of LFN_CHARS) {
    const code = slot[at]! | (slot[at + 1]! << 8);
    if (code === 0x0000) break;
    text += String.fromCharCode(code);
  }
  return text;
}

/** Folds directory slots into entries; keeps the long-name state across clusters. */
class DirectoryParser {
  readonly entries: FatEntry[] = [];
  truncated = false;
  private long: LongName | null = null;

  constructor(private readonly maxEntries: number) {}

  /** Returns false at the end-of-directory marker or once the listing is full. */
  add(slot: Uint8Array): boolean {
    const first = slot[0]!;
    if (first === 0x00) return false;
    const attr = slot[11]!;
    if (first === DELETED) {
      this.long = null;
      return true;
    }
    if ((attr & 0x3f) === LFN_ATTR) {
      this.addLongPart(slot);
      return true;
    }
    const long = this.long;
    this.long = null;
    if (attr & ATTR_VOLUME) return true;

    const raw = slot.subarray(0, 11);
    const nameBytes = Uint8Array.from(raw);
    if (nameBytes[0] === 0x05) nameBytes[0] = DELETED; // 0x05 stands for a leading 0xE5 character
    const base = oemText(nameBytes.subarray(0, 8));
    const ext = oemText(nameBytes.subarray(8, 11));
    const shortName = ext ? `${base}.${ext}` : base;
    if (shortName === '.' || shortName === '..') return true;
    // Windows NT keeps all-lower-case 8.3 names without a long name: bit 3 for the base, bit 4 for the extension.
    const caseFlags = slot[12]!;
    const shownBase = caseFlags & 0x08 ? base.toLowerCase() : base;
    const shownExt = caseFlags & 0x10 ? ext.toLowerCase() : ext;
    const shown = shownExt ? `${shownBase}.${shownExt}` : shownBase;
    const longName =
      long && long.next === 0 && long.checksum === shortNameChecksum(raw)
        ? long.parts.join('')
        : null;
    const name = longName ?? shown;
    if (!usableName(name)) return true;

    if (this.entries.length >= this.maxEntries) {
      this.truncated = true;
      return false;
    }
    const v = new DataView(slot.buffer, slot.byteOffset, slot.byteLength);
    this.entries.push({
      name,
      shortName,
      directory: (attr & ATTR_DIRECTORY) !== 0,
      size: v.getUint32(28, true),
      firstCluster: v.getUint16(20, true) * 0x10000 + v.getUint16(26, true),
    });
    return true;
  }

  private addLongPart(slot: Uint8Array): void {
    const order = slot[0]!;
    const sequence = order & 0x1f;
    const checksum = slot[13]!;
    // Type (byte 12) and cluster (bytes 26–27) are zero in every valid long-name entry.
    const wellFormed = slot[12] === 0 && slot[26] === 0 && slot[27] === 0;
    if (order & 0x40) {
      if (!wellFormed || sequence < 1 || sequence > LFN_MAX_PARTS) {
        this.long = null;
        return;
      }
      const parts = new Array<string>(sequence).fill('');
      parts[sequence - 1] = lfnPart(slot);
      this.long = { checksum, next: sequence - 1, parts };
      return;
    }
    const long = this.long;
    if (
      !long ||
      !wellFormed ||
      sequence !== long.next ||
      sequence === 0 ||
      checksum !== long.checksum
    ) {
      this.long = null; // an orphaned or out-of-order part: the short name stands alone
      return;
    }
    long.parts[sequence - 1] = lfnPart(slot);
    long.next = sequence - 1;
  }
}

/** Opens the FAT filesystem at `offset` of `source`, in a partition of `partitionBytes`. */
export async function openFat(
  source: ByteSource,
  offset: number,
  partitionBytes: number,
): Promise<FatVolume> {
  const boot = await source.read(offset, 512);
  if (boot.byteLength < 512)
    throw corrupt('The image ends before the boot sector of the partition.');
  const bpb = parseBpb(boot, partitionBytes);
  const { type, bytesPerSector, clusterCount } = bpb;
  const clusterBytes = bytesPerSector * bpb.sectorsPerCluster;
  const maxCluster = clusterCount + 1;
  const endOfChain = type === 'FAT12' ? 0xff8 : type === 'FAT16' ? 0xfff8 : 0x0fff_fff8;
  const badCluster = endOfChain - 1;
  const fatSectors = new Map<number, Uint8Array>();

  async function readAt(at: number, length: number): Promise<Uint8Array> {
    const bytes = await source.read(offset + at, length);
    if (bytes.byteLength < length) {
      throw corrupt(`The image ends inside the FAT filesystem (at byte ${at} of the partition).`);
    }
    return bytes;
  }

  async function fatByte(at: number): Promise<number> {
    const sector = Math.floor(at / bytesPerSector);
    let bytes = fatSectors.get(sector);
    if (!bytes) {
      bytes = await readAt(bpb.fatOffset + sector * bytesPerSector, bytesPerSector);
      if (fatSectors.size >= FAT_SECTOR_CACHE) fatSectors.delete(fatSectors.keys().next().value!);
      fatSectors.set(sector, bytes);
    }
    return bytes[at % bytesPerSector]!;
  }

  /** The cluster after `cluster`, or null at the end of the chain. */
  async function nextCluster(cluster: number): Promise<number | null> {
    let value: number;
    if (type === 'FAT12') {
      // 12-bit entries pack two in three bytes and may straddle a sector boundary.
      const at = cluster + (cluster >> 1);
      const pair = (await fatByte(at)) | ((await fatByte(at + 1)) << 8);
      value = cluster & 1 ? pair >> 4 : pair & 0xfff;
    } else if (type === 'FAT16') {
      value = (await fatByte(cluster * 2)) | ((await fatByte(cluster * 2 + 1)) << 8);
    } else {
      const at = cluster * 4;
      const bytes = [
        await fatByte(at),
        await fatByte(at + 1),
        await fatByte(at + 2),
        await fatByte(at + 3),
      ];
      value = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | ((bytes[3]! & 0x0f) << 24)) >>> 0;
    }
    if (value >= endOfChain) return null;
    if (value === badCluster)
      throw corrupt(`The FAT chain through cluster ${cluster} reaches a cluster marked bad.`);
    if (value < 2 || value > maxCluster) {
      throw corrupt(
        `The FAT entry of cluster ${cluster} points to cluster ${value}, outside 2–${maxCluster}.`,
      );
    }
    return value;
  }

  function checkCluster(cluster: number, what: string): void {
    if (cluster < 2 || cluster > maxCluster) {
      throw corrupt(`${what} starts at cluster ${cluster}, outside 2–${maxCluster}.`);
    }
  }

  /**
   * Walks a chain from `first`, calling `visit` for each cluster until it returns false or the
   * chain ends; at most `limit` clusters, and a cluster seen twice is a cycle.
   */
  async function walkChain(
    first: number,
    limit: number,
    what: string,
    visit: (cluster: number) => Promise<boolean>,
  ) {
    checkCluster(first, what);
    const seen = new Set<number>();
    for (
      let cluster: number | null = first;
      cluster !== null;
      cluster = await nextCluster(cluster)
    ) {
      if (seen.has(cluster))
        throw corrupt(`${what} has a FAT chain that loops back to cluster ${cluster}.`);
      if (seen.size >= limit)
        throw corrupt(`${what} has a FAT chain longer than ${limit} clusters.`);
      seen.add(cluster);
      if (!(await visit(cluster))) return;
    }
  }

  const clusterOffset = (cluster: number) => bpb.dataOffset + (cluster - 2) * clusterBytes;

  async function readDir(dir?: FatEntry, maxEntries = MAX_DIR_SLOTS): Promise<FatListing> {
    const parser = new DirectoryParser(maxEntries);
    const feed = (bytes: Uint8Array) => {
      for (let at = 0; at + SLOT <= bytes.byteLength; at += SLOT) {
        if (!parser.add(bytes.subarray(at, at + SLOT))) return false;
      }
      return true;
    };
    const what = dir ? `The directory ${dir.name}` : 'The root directory';
    if (dir && !dir.directory) throw new TypeError(`${dir.name} is not a directory.`);
    // A `..` entry of 0 names the root; a subdirectory entry never does.
    const first = dir ? dir.firstCluster : type === 'FAT32' ? bpb.rootCluster : 0;
    if (first === 0) {
      if (dir) checkCluster(0, what);
      for (let slot = 0; slot < bpb.rootDirSlots; slot += bytesPerSector / SLOT) {
        const count = Math.min(bytesPerSector / SLOT, bpb.rootDirSlots - slot);
        if (!feed(await readAt(bpb.rootDirOffset + slot * SLOT, count * SLOT))) break;
      }
    } else {
      const limit = Math.ceil((MAX_DIR_SLOTS * SLOT) / clusterBytes);
      await walkChain(first, limit, what, async (cluster) =>
        feed(await readAt(clusterOffset(cluster), clusterBytes)),
      );
    }
    return { entries: parser.entries, truncated: parser.truncated };
  }

  async function find(path: string): Promise<FatEntry | null> {
    const parts = path.split(/[\\/]/).filter((p) => p !== '');
    let current: FatEntry | undefined;
    for (const part of parts) {
      if (current && !current.directory) return null;
      const wanted = foldFatName(part);
      const { entries } = await readDir(current);
      current = entries.find((e) => foldFatName(e.name) === wanted || e.shortName === wanted);
      if (!current) return null;
    }
    return current ?? null;
  }

  async function readFile(entry: FatEntry, maxBytes: number): Promise<Uint8Array> {
    if (entry.directory) throw new TypeError(`${entry.name} is a directory.`);
    const length = Math.min(entry.size, Math.max(0, maxBytes));
    if (length === 0) return new Uint8Array(0);
    const needed = Math.ceil(length / clusterBytes);
    if (needed > clusterCount) {
      throw corrupt(
        `The file ${entry.name} claims ${entry.size} bytes, more than the filesystem holds.`,
      );
    }
    const what = `The file ${entry.name}`;
    const clusters: number[] = [];
    await walkChain(entry.firstCluster, needed, what, (cluster) => {
      clusters.push(cluster);
      return Promise.resolve(clusters.length < needed);
    });
    if (clusters.length < needed) {
      throw corrupt(
        `${what} has a FAT chain of ${clusters.length} clusters, too short for its ${entry.size} bytes.`,
      );
    }
    const out = new Uint8Array(length);
    // Contiguous clusters are read in one request.
    for (let i = 0; i < clusters.length;) {
      let run = 1;
      while (i + run < clusters.length && clusters[i + run] === clusters[i]! + run) run++;
      const at = i * clusterBytes;
      const bytes = await readAt(
        clusterOffset(clusters[i]!),
        Math.min(run * clusterBytes, length - at),
      );
      out.set(bytes, at);
      i += run;
    }
    return out;
  }

  const { rootCluster } = bpb;
  return { type, bytesPerSector, clusterBytes, clusterCount, rootCluster, readDir, find, readFile };
}
