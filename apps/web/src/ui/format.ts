/**
 * Durations, moments and transfer sizes; OVH's own sizes (RAM, disks) are written by
 * @byoi/shared's units.
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const IEC_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Transfer sizes and rates in binary units, like download tools print them: `512 MiB`, `1.5 GiB`. */
export function formatIEC(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${IEC_UNITS[unit]}`;
}

export interface DateTimeOptions {
  /** The operator's locale when absent (the browser's). */
  locale?: string;
  /** The operator's time zone when absent. */
  timeZone?: string;
  /** With the seconds, where events come seconds apart (a rollout's timeline). */
  seconds?: boolean;
}

/**
 * A moment as the operator reads dates, e.g. "26 Nov 2026, 02:00" (en-GB) or "Nov 26, 2026, 2:00 AM"
 * (en-US) — never OVH's raw ISO text. Text that is not a date is answered as it is.
 */
export function formatDateTime(
  iso: string,
  { locale, timeZone, seconds = false }: DateTimeOptions = {},
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: seconds ? 'medium' : 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** An ISO 8601 date-time with its zone, as the BFF and OVH write them inside sentences. */
export const ISO_DATE_TIME =
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/g;
