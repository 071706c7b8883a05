/**
 * What the EFI system partition (ESP) of an image offers a UEFI firmware: its FAT type, the `.efi`
 * files under `\EFI`, and the bootloader path to give OVH's `reinstall` as `efiBootloaderPath`.
 * Reads through any ByteSource (a raw image over HTTP, or the virtual disk of a qcow2).
 */
import { ReadBudgetExceeded } from './byteSource.ts';
import type { ByteSource } from './byteSource.ts';
import { FatError, foldFatName, openFat } from './fat.ts';
import type { FatEntry, FatType, FatVolume } from './fat.ts';
import type { PartitionInfo } from './partitions.ts';
import { Qcow2DiskError } from './qcow2Disk.ts';

/** At most this many `.efi` paths are listed; a real ESP has a handful. */
export const MAX_EFI_FILES = 256;
/** Directory levels below `\EFI` that are listed: `\EFI\<vendor>\<a>\<b>\<c>` is the deepest. */
export const MAX_EFI_DEPTH = 4;
/** Directory entries examined under `\EFI` in all: bounds the walk on an ESP full of files. */
export const MAX_EFI_ENTRIES = 4096;

/**
 * The `efiBootloaderPath` examples of OVH's BYOI guide (Debian, Ubuntu, Windows, FreeBSD, Alma,
 * Arch, Gentoo), in the guide's order and spelling.
 */
export const OVH_BOOTLOADER_EXAMPLES = [
  '\\efi\\debian\\grubx64.efi',
  '\\efi\\ubuntu\\grubx64.efi',
  '\\efi\\microsoft\\boot\\bootmgfw.efi',
  '\\efi\\FreeBSD\\loader.efi',
  '\\efi\\almalinux\\shimx64.efi',
  '\\efi\\arch\\grubx64.efi',
  '\\efi\\boot\\bootx64.efi',
] as const;

/** What an x86-64 UEFI firmware boots from a disk it has no boot entry for (UEFI spec, removable media). */
export const REMOVABLE_MEDIA_PATH = '\\EFI\\BOOT\\BOOTX64.EFI';

/** The walk's limits; each defaults to the constant of the same meaning. */
export interface EspLimits {
  maxFiles?: number;
  maxDepth?: number;
  maxEntries?: number;
}

export type EspStatus = 'found' | 'no-esp' | 'not-fat' | 'unreadable';

export interface EspReport {
  status: EspStatus;
  /** The partition read (offsets in bytes from the start of the disk); null without an ESP. */
  partition: { index: number; offsetBytes: number; sizeBytes: number } | null;
  fatType: FatType | null;
  /** Every `.efi` file under `\EFI`, as stored (e.g. `\EFI\debian\grubx64.efi`), sorted case-insensitively. */
  efiFiles: string[];
  /** A limit (`MAX_EFI_FILES`, `MAX_EFI_DEPTH`, `MAX_EFI_ENTRIES`) cut the listing short. */
  truncated: boolean;
  /** See `suggestBootloader`. */
  suggestion: string | null;
  /** One sentence for a person when `status` is not `found`. */
  problem: string | null;
}

const fold = (path: string) => foldFatName(path.replace(/\//g, '\\'));

/** Case-insensitive order, ties broken by code units, so the order is total and stable. */
function compareEfiPaths(a: string, b: string): number {
  const fa = fold(a);
  const fb = fold(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const isEfi = (name: string) => foldFatName(name).endsWith('.EFI');

/**
 * The stored path that `typed` names: compared case-insensitively, as FAT does, with `\` or `/` as
 * separators; `typed` must start with a separator. Null when no listed file matches.
 */
export function findEfiPath(files: readonly string[], typed: string): string | null {
  if (!/^[\\/]/.test(typed)) return null;
  const wanted = fold(typed);
  return files.find((file) => fold(file) === wanted) ?? null;
}

/** Shim's helpers sit beside it but boot nothing: the MOK manager and the boot-entry fallback. */
const SHIM_HELPERS = new Set(['MMX64.EFI', 'FBX64.EFI']);

/**
 * The path to suggest as `efiBootloaderPath`, as stored in the image, from the first rule that
 * matches:
 * 1. one of OVH's examples (in the guide's order), except Gentoo's `\efi\boot\bootx64.efi`, which is
 *    the removable-media path and so ranks as rule 3;
 * 2. in a vendor directory `\EFI\<vendor>\` (not `\EFI\BOOT`): `shimx64.efi` (Secure Boot's first
 *    stage), then `grubx64.efi`, then any other `.efi` but shim's helpers;
 * 3. the removable-media fallback `\EFI\BOOT\BOOTX64.EFI`;
 * else null.
 */
export function suggestBootloader(files: readonly string[]): string | null {
  for (const example of OVH_BOOTLOADER_EXAMPLES) {
    if (fold(example) === fold(REMOVABLE_MEDIA_PATH)) continue;
    const found = findEfiPath(files, example);
    if (found) return found;
  }
  const vendorFiles = [...files].sort(compareEfiPaths).filter((file) => {
    const parts = fold(file).split('\\');
    // ['', 'EFI', vendor, …, name]
    return parts.length >= 4 && parts[1] === 'EFI' && parts[2] !== 'BOOT' && isEfi(file);
  });
  const base = (file: string) => fold(file).slice(fold(file).lastIndexOf('\\') + 1);
  const pick =
    vendorFiles.find((f) => base(f) === 'SHIMX64.EFI') ??
    vendorFiles.find((f) => base(f) === 'GRUBX64.EFI') ??
    vendorFiles.find((f) => !SHIM_HELPERS.has(base(f)));
  return pick ?? findEfiPath(files, REMOVABLE_MEDIA_PATH);
}

interface Walk {
  files: string[];
  truncated: boolean;
}

/** Lists the `.efi` files under `efi` breadth-first, within the depth, entry and file limits. */
async function walkEfi(volume: FatVolume, efi: FatEntry, limits: EspLimits): Promise<Walk> {
  const maxFiles = limits.maxFiles ?? MAX_EFI_FILES;
  const maxDepth = limits.maxDepth ?? MAX_EFI_DEPTH;
  const files: string[] = [];
  let truncated = false;
  let budget = limits.maxEntries ?? MAX_EFI_ENTRIES;
  // Two directories sharing a first cluster is a loop (or cross-linked clusters): corrupt either way.
  const seen = new Map<number, string>([[volume.rootCluster, '\\']]);
  const queue: { dir: FatEntry; path: string; depth: number }[] = [
    { dir: efi, path: `\\${efi.name}`, depth: 0 },
  ];
  seen.set(efi.firstCluster, `\\${efi.name}`);
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (budget === 0) {
      truncated = true;
      break;
    }
    const listing = await volume.readDir(next.dir, budget);
    budget -= listing.entries.length;
    truncated ||= listing.truncated;
    for (const entry of listing.entries) {
      const path = `${next.path}\\${entry.name}`;
      if (entry.directory) {
        const earlier = seen.get(entry.firstCluster);
        if (earlier !== undefined) {
          throw new FatError(
            'corrupt',
            `The directory ${path} is the same as ${earlier}, so the directory tree loops.`,
          );
        }
        seen.set(entry.firstCluster, path);
        if (next.depth < maxDepth) queue.push({ dir: entry, path, depth: next.depth + 1 });
        else truncated = true;
      } else if (isEfi(entry.name)) {
        if (files.length >= maxFiles) {
          truncated = true;
          break;
        }
        files.push(path);
      }
    }
  }
  return { files: files.sort(compareEfiPaths), truncated };
}

/** "The X …" → "the X …", to continue a sentence with a message. */
const continueWith = (message: string) => message.replace(/^The /, 'the ');

/**
 * Reads the ESP of `disk` (the first EFI System partition of the GPT, or of type 0xEF in an MBR)
 * and lists its bootloaders. `partitions` must come from enough of the disk's head to hold the GPT
 * entries (`SNIFF_BYTES` covers 4Kn disks). Faults of the image (not FAT, corrupt FAT, corrupt
 * qcow2 tables, the read budget of a `boundedSource`) become a report; other errors, such as a
 * failed download, are thrown.
 */
export async function readEsp(
  disk: ByteSource,
  partitions: PartitionInfo,
  limits: EspLimits = {},
): Promise<EspReport> {
  const base = {
    partition: null,
    fatType: null,
    efiFiles: [],
    truncated: false,
    suggestion: null,
  } satisfies Omit<EspReport, 'status' | 'problem'>;
  if (partitions.table === 'gpt' && partitions.gptEntriesCrcValid === null) {
    return {
      ...base,
      status: 'unreadable',
      problem:
        'The GPT partition entries lie beyond the bytes read, so the EFI system partition could not be looked for.',
    };
  }
  const entry = partitions.entries.find((e) => e.kind === 'efi-system');
  if (!entry) {
    const table = partitions.table === 'gpt' ? 'GPT' : 'MBR';
    return {
      ...base,
      status: 'no-esp',
      problem: `The ${table} partition table has no EFI system partition, so a UEFI firmware finds no bootloader on this image.`,
    };
  }
  const partition = {
    index: entry.index,
    offsetBytes: entry.firstLba * partitions.sectorSize,
    sizeBytes: entry.sizeBytes,
  };
  const name = `The EFI system partition (partition ${entry.index})`;
  const unreadable = (problem: string): EspReport => ({
    ...base,
    partition,
    status: 'unreadable',
    problem,
  });
  if (partition.sizeBytes === 0 || (disk.size !== null && partition.offsetBytes >= disk.size)) {
    return unreadable(`${name} lies outside the image.`);
  }

  let fatType: FatType | null = null;
  try {
    const volume = await openFat(disk, partition.offsetBytes, partition.sizeBytes);
    fatType = volume.type;
    const root = await volume.readDir();
    const efi = root.entries.find((e) => e.directory && foldFatName(e.name) === 'EFI');
    if (!efi) {
      return { ...base, partition, fatType, status: 'found', problem: null };
    }
    const walk = await walkEfi(volume, efi, limits);
    return {
      ...base,
      partition,
      fatType,
      status: 'found',
      efiFiles: walk.files,
      truncated: walk.truncated,
      suggestion: suggestBootloader(walk.files),
      problem: null,
    };
  } catch (err) {
    if (err instanceof FatError && err.reason === 'not-fat') {
      return {
        ...base,
        partition,
        status: 'not-fat',
        problem: `${name} holds ${err.found ?? 'something else'}, not the FAT filesystem a UEFI firmware boots from; format it with mkfs.fat.`,
      };
    }
    if (err instanceof FatError) {
      return { ...unreadable(`${name} is damaged: ${continueWith(err.message)}`), fatType };
    }
    if (err instanceof Qcow2DiskError) {
      return {
        ...unreadable(`${name} cannot be read from the qcow2 image: ${continueWith(err.message)}`),
        fatType,
      };
    }
    if (err instanceof ReadBudgetExceeded) {
      return {
        ...unreadable(
          `${name} was not read to the end: ${err.message.replace(/^Reading/, 'reading')}`,
        ),
        fatType,
      };
    }
    throw err;
  }
}
