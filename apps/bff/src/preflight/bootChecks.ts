/**
 * Will the server boot what OVH writes? The partition table against the server's boot mode, and
 * the EFI bootloader path against the files of the image's EFI system partition, read through a
 * few ranged requests (a qcow2 through its cluster mapping). OVH accepts any path and writes the
 * image anyway; a path that is not in the image is a server that does not boot, so the console
 * fails the check before the wipe.
 */
import {
  findEfiPath,
  openQcow2Disk,
  Qcow2DiskError,
  readEsp,
  readPartitionTable,
  ReadBudgetExceeded,
  type EspReport,
  type HardwareDto,
  type ImageSniff,
  type PartitionInfo,
  type PreflightCheck,
} from '@byoi/shared';
import { decompressCluster } from './decompress.ts';
import { FetchError, GuardError } from './errors.ts';
import { rangedImageSource } from './rangedSource.ts';
import type { HeaderPair, SafeFetch } from './safeFetch.ts';

/** The head of a qcow2's virtual disk read for its partition table: a GPT's entries on 4Kn fit. */
const VIRTUAL_HEAD_BYTES = 64 * 1024;

export interface ImageDisk {
  /** The disk's partition table: from the probe's bytes, or read inside a qcow2. */
  partitions: PartitionInfo | null;
  esp: EspReport | null;
  /** Why the disk was not read further, for the checks' sentences; null when it was. */
  notRead: string | null;
}

/**
 * Reads what the boot checks need. `sniff` is of the probe's first bytes, which already hold a raw
 * image's partition table; anything beyond them takes ranged requests, within one read budget.
 */
export async function readImageDisk(options: {
  fetch: SafeFetch;
  imageURL: string;
  finalURL: string;
  headers: HeaderPair[];
  sniff: ImageSniff;
  size: number | null;
  acceptRanges: boolean;
  signal?: AbortSignal;
}): Promise<ImageDisk> {
  const { sniff } = options;
  const raw = sniff.kind === 'raw-gpt' || sniff.kind === 'raw-mbr';
  if (!raw && sniff.kind !== 'qcow2') {
    return { partitions: null, esp: null, notRead: 'The file is not a disk image.' };
  }
  if (!options.acceptRanges || options.size === null) {
    return {
      partitions: sniff.partitions ?? null,
      esp: null,
      notRead:
        'The image host does not answer byte ranges (or hides the size), so the disk could not be read beyond its first bytes without downloading it all.',
    };
  }
  // After a redirect to another origin the operator's headers stay behind, as they did there.
  const sameOrigin = new URL(options.finalURL).origin === new URL(options.imageURL).origin;
  const file = rangedImageSource({
    fetch: options.fetch,
    url: options.finalURL,
    headers: sameOrigin ? options.headers : [],
    size: options.size,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let partitions = sniff.partitions ?? null;
  try {
    const disk = raw ? file : await openQcow2Disk(file, { decompress: decompressCluster });
    if (!raw) partitions = readPartitionTable(await disk.read(0, VIRTUAL_HEAD_BYTES));
    if (!partitions) {
      return { partitions: null, esp: null, notRead: "The image's disk has no partition table." };
    }
    return { partitions, esp: await readEsp(disk, partitions), notRead: null };
  } catch (error) {
    if (error instanceof Qcow2DiskError || error instanceof ReadBudgetExceeded) {
      return {
        partitions,
        esp: null,
        notRead: `The disk inside the image cannot be read: ${error.message}`,
      };
    }
    if (error instanceof FetchError || error instanceof GuardError) {
      return {
        partitions,
        esp: null,
        notRead: `The image host stopped answering the console's ranged reads: ${error.message}`,
      };
    }
    throw error;
  }
}

export function bootModeCheck(
  hardware: HardwareDto,
  sniff: ImageSniff,
  disk: ImageDisk,
): PreflightCheck {
  const title = 'Boot mode';
  const p = disk.partitions;
  if (!p) {
    return {
      id: 'bootMode',
      status: 'skipped',
      title,
      sentence:
        sniff.kind === 'qcow2'
          ? `The partitions inside the qcow2 image could not be read, so its boot mode was not compared with the server's. ${disk.notRead ?? ''}`.trim()
          : 'Without a partition table the boot mode cannot be compared.',
    };
  }
  const can = [p.uefiCapable ? 'UEFI' : null, p.legacyCapable ? 'legacy BIOS' : null]
    .filter(Boolean)
    .join(' and ');
  if (hardware.bootMode === 'uefi' && !p.uefiCapable) {
    return {
      id: 'bootMode',
      status: 'warn',
      title,
      sentence: `The server boots in UEFI mode but the image has no EFI system partition${p.legacyCapable ? ' (it boots in legacy BIOS mode only)' : ''}: it will likely not boot after the install.`,
      remedy:
        'Use an image with an EFI system partition (most cloud images have one), or switch the server to legacy boot.',
    };
  }
  if (hardware.bootMode === 'legacy' && !p.legacyCapable) {
    return {
      id: 'bootMode',
      status: 'warn',
      title,
      sentence: `The server boots in legacy BIOS mode but the image has neither a BIOS boot partition nor MBR boot code${p.uefiCapable ? ' (it boots in UEFI mode only)' : ''}: it will likely not boot after the install.`,
      remedy:
        'Use an image that also boots in legacy mode (a BIOS boot partition with GRUB), or switch the server to UEFI boot.',
    };
  }
  return {
    id: 'bootMode',
    status: 'pass',
    title,
    sentence: `The image can boot in ${can}${sniff.kind === 'qcow2' ? ' (read inside the qcow2)' : ''}; the server boots in ${hardware.bootMode === 'uefi' ? 'UEFI' : 'legacy BIOS'} mode.`,
  };
}

const listed = (files: readonly string[]) =>
  files.length > 4
    ? `${files.slice(0, 4).join(', ')} and ${files.length - 4} more`
    : files.join(', ');

/**
 * The EFI bootloader path OVH boots the server with, against the image's EFI system partition.
 * A typed path missing from the image fails: the install would end with a server that does not boot.
 */
export function efiBootloaderCheck(
  typed: string | undefined,
  hardware: HardwareDto,
  disk: ImageDisk,
): PreflightCheck {
  const title = 'EFI bootloader';
  const path = typed?.trim() || undefined;
  const esp = disk.esp;
  const use = (suggestion: string | null) =>
    suggestion
      ? ` Set EFI bootloader path to ${suggestion}, the bootloader a firmware would start.`
      : '';
  if (hardware.bootMode === 'legacy') {
    return {
      id: 'efiBootloader',
      status: 'skipped',
      title,
      sentence:
        'This server boots in legacy BIOS mode: it does not start an EFI bootloader, whatever the path says.',
    };
  }
  if (!esp) {
    return {
      id: 'efiBootloader',
      status: path ? 'warn' : 'skipped',
      title,
      sentence:
        `The image's EFI system partition was not read, so ${path ? `whether it holds ${path}` : 'its bootloaders'} could not be checked. ${disk.notRead ?? ''}`.trim(),
    };
  }
  if (esp.status !== 'found') {
    const noEsp = esp.status === 'no-esp';
    return {
      id: 'efiBootloader',
      status: path && noEsp ? 'fail' : 'warn',
      title,
      sentence: `${esp.problem ?? 'The EFI system partition cannot be read.'}${path && noEsp ? ` OVH would boot ${path} from it: the server would not start.` : ''}`,
      remedy: noEsp
        ? 'Use an image with an EFI system partition holding its bootloader (most cloud images have one).'
        : 'Check the EFI partition with `fsck.vfat -n` on the image, or rebuild it with mkfs.fat.',
    };
  }
  const where = `the image's EFI system partition (partition ${esp.partition?.index ?? '?'}, ${esp.fatType ?? 'FAT'})`;
  if (esp.efiFiles.length === 0) {
    return {
      id: 'efiBootloader',
      status: path ? 'fail' : 'warn',
      title,
      sentence: `${where[0]?.toUpperCase()}${where.slice(1)} holds no .efi file: a UEFI firmware finds nothing to start.`,
      remedy:
        'Install the bootloader into the image (e.g. `grub-install --target=x86_64-efi`), then check it again.',
    };
  }
  if (!path) {
    return {
      id: 'efiBootloader',
      status: 'warn',
      title,
      sentence: `No EFI bootloader path given. ${where[0]?.toUpperCase()}${where.slice(1)} holds ${listed(esp.efiFiles)}.`,
      remedy: `OVH needs the path to boot the server.${use(esp.suggestion)}`,
    };
  }
  const found = findEfiPath(esp.efiFiles, path);
  if (!found) {
    return {
      id: 'efiBootloader',
      status: 'fail',
      title,
      sentence: `${path} is not in ${where}, which holds ${listed(esp.efiFiles)}: OVH would write the image and the server would not start.`,
      remedy: `${use(esp.suggestion).trim() || 'Give the path of one of the .efi files listed.'}`,
    };
  }
  return {
    id: 'efiBootloader',
    status: 'pass',
    title,
    sentence: `${found} is in ${where}${found !== path ? ` (FAT ignores case: ${path} names it)` : ''}.`,
  };
}
