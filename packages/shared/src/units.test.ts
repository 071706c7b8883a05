import { describe, expect, it } from 'vitest';
import {
  formatDiskGroup,
  formatDiskSize,
  formatExactBytes,
  formatGiBFloor,
  formatMemory,
  ovhSizeBytes,
} from './units.ts';

describe('OVH sizes', () => {
  it('reads memory in binary units, as OVH means its "MB"', () => {
    expect(ovhSizeBytes({ unit: 'MB', value: 32768 }, 'memory')).toBe(32 * 1024 ** 3);
    expect(ovhSizeBytes({ unit: 'GB', value: 64 }, 'memory')).toBe(64 * 1024 ** 3);
  });

  it('reads disks in decimal units, as they are sold', () => {
    expect(ovhSizeBytes({ unit: 'GB', value: 960 }, 'disk')).toBe(960_000_000_000);
    expect(ovhSizeBytes({ unit: 'TB', value: 2 }, 'disk')).toBe(2_000_000_000_000);
    expect(ovhSizeBytes({ unit: 'MB', value: 16 }, 'disk')).toBe(16_000_000);
  });

  it('takes explicit binary units as binary, and anything unknown or missing as nothing', () => {
    expect(ovhSizeBytes({ unit: 'GiB', value: 1 }, 'disk')).toBe(1024 ** 3);
    expect(ovhSizeBytes({ unit: 'parsec', value: 1 }, 'disk')).toBe(0);
    expect(ovhSizeBytes(null, 'memory')).toBe(0);
    expect(ovhSizeBytes({ unit: 'GB', value: Number.NaN }, 'disk')).toBe(0);
  });
});

describe('one way to write a size', () => {
  it('memory in GiB; the image limit rounded down', () => {
    expect(formatMemory(32 * 1024 ** 3)).toBe('32 GiB');
    expect(formatGiBFloor(29 * 1024 ** 3 + 1024 ** 3 - 1)).toBe('29 GiB');
  });

  it('disks as sold', () => {
    expect(formatDiskSize(960_000_000_000)).toBe('960 GB');
    expect(formatDiskSize(1_920_000_000_000)).toBe('1.92 TB');
    expect(formatDiskSize(2_000_000_000_000)).toBe('2 TB');
    expect(formatDiskSize(16_000_000)).toBe('16 MB');
    expect(formatDiskSize(512)).toBe('512 B');
    expect(formatDiskGroup({ numberOfDisks: 2, diskSizeBytes: 960e9, diskType: 'NVME' })).toBe(
      '2 × 960 GB NVMe',
    );
    expect(formatDiskGroup({ numberOfDisks: 1, diskSizeBytes: 4e12, diskType: 'SATA' })).toBe(
      '1 × 4 TB SATA',
    );
  });

  it('exact bytes where a check compares sizes, in the units of what is measured', () => {
    expect(formatExactBytes(8 * 1024 ** 2)).toBe('8.0 MiB (8388608 bytes)');
    expect(formatExactBytes(16_000_000, 'disk')).toBe('16.0 MB (16000000 bytes)');
    expect(formatExactBytes(960e9, 'disk')).toBe('960.0 GB (960000000000 bytes)');
    expect(formatExactBytes(999)).toBe('999 bytes');
  });
});
