/**
 * The decisions OVH's installer takes on a downloaded image, as pure functions of what was
 * downloaded and sniffed. Each returns OVH's exact message, or null when the image passes.
 * Called in DESIGN.md's order (format, size, write) so one image meets exactly one message.
 */
import {
  UPSTREAM_MESSAGES,
  checkCloudConfig,
  decodeUserData,
  detectUserDataKind,
  detectedFormatWord,
  isRecognisedNonDiskFormat,
} from '@byoi/shared';
import type { ImageSniff } from '@byoi/shared';

export type ImageType = 'qcow2' | 'raw';

export interface TargetDisk {
  /** `/dev/nvme0n1` or `/dev/sda`. */
  device: string;
  bytes: number;
}

/** Step 4: is it the declared format at all? */
export function formatProblem(sniff: ImageSniff, imageType: ImageType): string | null {
  if (isRecognisedNonDiskFormat(sniff)) return UPSTREAM_MESSAGES.badFormat();
  if (imageType === 'qcow2' && sniff.kind !== 'qcow2') {
    return UPSTREAM_MESSAGES.notQcow2(detectedFormatWord(sniff));
  }
  if (imageType === 'raw' && sniff.kind !== 'raw-gpt' && sniff.kind !== 'raw-mbr') {
    return UPSTREAM_MESSAGES.rawNoPartitionTable(sniff.description);
  }
  return null;
}

/** Step 5: the size the image takes on disk (qcow2: its virtual size) against the target disk. */
export function diskProblem(
  sniff: ImageSniff,
  downloadedBytes: number,
  disk: TargetDisk,
): string | null {
  const size = sniff.kind === 'qcow2' && sniff.qcow2 ? sniff.qcow2.virtualSize : downloadedBytes;
  return size > disk.bytes
    ? UPSTREAM_MESSAGES.imageLargerThanDisk(size, disk.device, disk.bytes)
    : null;
}

/** Step 6: what `qemu-img convert` and `sgdisk -e` would refuse while writing. */
export function writeProblem(sniff: ImageSniff): string | null {
  if (sniff.kind === 'qcow2') {
    const qcow2 = sniff.qcow2;
    if (!qcow2 || qcow2.backingFile !== null || qcow2.encrypted || qcow2.problems.length > 0) {
      return UPSTREAM_MESSAGES.qcow2WriteFailed();
    }
  }
  if (sniff.kind === 'raw-gpt' && sniff.partitions?.gptHeaderCrcValid === false) {
    return UPSTREAM_MESSAGES.gptRelocationFailed();
  }
  return null;
}

/**
 * Step 7: cloud-init's config drive needs `#cloud-config` YAML (a mapping) or a `#!` script;
 * the value may arrive plain or base64-encoded.
 */
export function configDriveProblem(userData: string | undefined): string | null {
  if (userData === undefined) return null;
  const text = decodeUserData(userData);
  switch (detectUserDataKind(text)) {
    case 'empty':
    case 'script':
      return null;
    case 'cloud-config':
      return checkCloudConfig(text).ok ? null : UPSTREAM_MESSAGES.configdriveFailed();
    default:
      return UPSTREAM_MESSAGES.configdriveFailed();
  }
}
