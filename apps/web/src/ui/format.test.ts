import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatIEC } from './format.ts';

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
  it("writes a moment in the operator's locale and time zone, never as ISO text", () => {
    const at = '2026-11-26T01:05:09.000Z';
    expect(formatDateTime(at, { locale: 'en-GB', timeZone: 'UTC' })).toBe('26 Nov 2026, 01:05');
    expect(formatDateTime(at, { locale: 'de-DE', timeZone: 'UTC' })).toBe('26.11.2026, 01:05');
    expect(formatDateTime(at, { locale: 'en-US', timeZone: 'America/New_York' })).toBe(
      'Nov 25, 2026, 8:05 PM',
    );
    // With no locale given, the browser's.
    expect(formatDateTime(at)).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(at),
      ),
    );
    expect(formatDateTime('not a date')).toBe('not a date');
  });
  it('adds the seconds when asked, for events seconds apart', () => {
    const at = '2026-11-26T01:05:09.000Z';
    expect(formatDateTime(at, { locale: 'en-GB', timeZone: 'UTC', seconds: true })).toBe(
      '26 Nov 2026, 01:05:09',
    );
  });
});
