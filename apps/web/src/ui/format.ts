const GIB = 1024 ** 3;

/** Whole GiB rounded down: a limit must never be overstated. */
export function formatGiBFloor(bytes: number): string {
  return `${Math.max(0, Math.floor(bytes / GIB))} GiB`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1000 ** 4)
    return `${(bytes / 1000 ** 4).toFixed(bytes % 1000 ** 4 === 0 ? 0 : 1)} TB`;
  if (bytes >= 1000 ** 3) return `${Math.round(bytes / 1000 ** 3)} GB`;
  if (bytes >= 1000 ** 2) return `${Math.round(bytes / 1000 ** 2)} MB`;
  return `${bytes} B`;
}

export function formatMemory(bytes: number): string {
  return `${Math.round(bytes / GIB)} GiB`;
}

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
