/** Durations and transfer sizes; OVH's own sizes (RAM, disks) are written by @byoi/shared's units. */
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
