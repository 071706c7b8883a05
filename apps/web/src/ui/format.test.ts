import { describe, expect, it } from 'vitest';
import { formatDuration, formatIEC } from './format.ts';

describe('format', () => {
  it('formats durations', () => {
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
