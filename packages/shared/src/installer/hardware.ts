/**
 * What OVH's BYOI installer takes from a server's hardware: how much of the image fits in memory,
 * and which disk the image is written to. The simulator and the preflight both ask here.
 */
import { ovhSizeBytes, type UnitAndValue } from '../units.ts';

/** OVH's installer keeps 3 GiB of RAM for itself; the image is downloaded into the rest. */
export const RESERVED_RAM_BYTES = 3 * 1024 ** 3;

/** The largest image the installer can hold in memory: RAM − 3 GiB. */
export function imageLimitBytes(memoryBytes: number): number {
  return Math.max(0, memoryBytes - RESERVED_RAM_BYTES);
}

/** A disk group as the installer needs it; sizes already in bytes. */
export interface DiskGroupFacts {
  diskType: string;
  /** One disk's capacity, bytes (decimal units, as sold). */
  diskSizeBytes: number;
}

export interface TargetDisk {
  /** `/dev/nvme0n1` or `/dev/sda`. */
  device: string;
  bytes: number;
}

/**
 * BYOI writes the image to one disk: the first disk of the first disk group (hardware RAID shows
 * the array as that one disk). A server whose hardware lists no disk has nothing to write to: the
 * installer meets `/dev/sda` of 0 bytes, and every image is larger than that.
 */
export function targetDisk(diskGroups: readonly DiskGroupFacts[]): TargetDisk {
  const group = diskGroups[0];
  if (!group) return { device: '/dev/sda', bytes: 0 };
  return {
    device: group.diskType.toUpperCase() === 'NVME' ? '/dev/nvme0n1' : '/dev/sda',
    bytes: group.diskSizeBytes,
  };
}

/** OVH's `dedicated.server.HardwareSpecifications`, the fields the installer reads. */
export interface OvhHardwareSizes {
  memorySize?: UnitAndValue | null;
  diskGroups?: readonly { diskType?: string | null; diskSize?: UnitAndValue | null }[] | null;
}

/** RAM and disks in bytes, read as OVH means its units (memory binary, disks decimal). */
export function hardwareSizes(hardware: OvhHardwareSizes): {
  memoryBytes: number;
  diskGroups: DiskGroupFacts[];
} {
  return {
    memoryBytes: ovhSizeBytes(hardware.memorySize, 'memory'),
    diskGroups: (hardware.diskGroups ?? []).map((group) => ({
      diskType: group.diskType ?? 'unknown',
      diskSizeBytes: ovhSizeBytes(group.diskSize, 'disk'),
    })),
  };
}
