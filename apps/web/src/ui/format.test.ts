import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatGiBFloor, formatIEC, formatMemory } from './format.ts';

describe('format', () => {
  it('never overstates the image limit', () => {
    expect(formatGiBFloor(29 * 1024 ** 3 - 1)).toBe('28 GiB');
    expect(formatGiBFloor(29 * 1024 ** 3)).toBe('29 GiB');
    expect(formatGiBFloor(-5)).toBe('0 GiB');
  });
  it('formats memory, disks and durations', () => {
    expect(formatMemory(32 * 1024 ** 3)).toBe('32 GiB');
    expect(formatBytes(480_000_000_000)).toBe('480 GB');
    expect(formatBytes(2_000_000_000_000)).toBe('2 TB');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
  it('formats transfer sizes in binary units', () => {
    expect(formatIEC(512)).toBe('512 B');
    expect(formatIEC(1536)).toBe('1.5 KiB');
    expect(formatIEC(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatIEC(2 * 1024 ** 3)).toBe('2.0 GiB');
  });
});
