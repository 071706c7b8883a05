import { toBytes } from '../fixtures.ts';
import type { ServerFixture } from '../fixtures.ts';
import type { TargetDisk } from './imageChecks.ts';

/** OVH's installer keeps 3 GiB of RAM for itself; the image is downloaded into the rest. */
export const RESERVED_RAM_BYTES = 3 * 1024 ** 3;

export function imageLimitBytes(server: ServerFixture): number {
  return Math.max(0, toBytes(server.hardware.memorySize) - RESERVED_RAM_BYTES);
}

/** BYOI writes to the first disk of the first group (no software RAID). */
export function targetDisk(server: ServerFixture): TargetDisk {
  const group = server.hardware.diskGroups[0];
  if (!group) return { device: '/dev/sda', bytes: 0 };
  return {
    device: group.diskType === 'NVME' ? '/dev/nvme0n1' : '/dev/sda',
    bytes: toBytes(group.diskSize),
  };
}
