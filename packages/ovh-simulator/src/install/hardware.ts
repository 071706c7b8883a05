/** A fixture's hardware as OVH's installer reads it, through packages/shared's installer model. */
import { hardwareSizes, imageLimitBytes as limitOf, targetDisk as diskOf } from '@byoi/shared';
import type { TargetDisk } from '@byoi/shared';
import type { ServerFixture } from '../fixtures.ts';

export { RESERVED_RAM_BYTES } from '@byoi/shared';

/** RAM − 3 GiB: the largest image the installer can hold in memory. */
export function imageLimitBytes(server: ServerFixture): number {
  return limitOf(hardwareSizes(server.hardware).memoryBytes);
}

/** The disk the image is written to. */
export function targetDisk(server: ServerFixture): TargetDisk {
  return diskOf(hardwareSizes(server.hardware).diskGroups);
}
