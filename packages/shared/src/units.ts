/**
 * Sizes as OVH means them, and one way to write them for a person. OVH's
 * `complexType.UnitAndValue_long` says `MB` for memory and means MiB (a "32 GB" server reports
 * `{ unit: 'MB', value: 32768 }`), while disks are given as sold: a "960 GB" NVMe holds
 * 960 000 000 000 bytes. Reading both the same way made a too-big image pass the check (and one disk
 * read "1.0 TB" on one screen and "960.0 GiB" on another).
 */

export interface UnitAndValue {
  unit: string;
  value: number;
}

/** What a size measures: memory (binary, whatever the unit says) or storage (decimal, as sold). */
export type SizeKind = 'memory' | 'disk';

const BINARY: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

const DECIMAL: Record<string, number> = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
};

/** Explicit binary units mean binary for both kinds. */
const IEC: Record<string, number> = {
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** Bytes of an OVH size; 0 for a missing or unknown one (nothing then fits in it). */
export function ovhSizeBytes(size: UnitAndValue | null | undefined, kind: SizeKind): number {
  if (!size || !Number.isFinite(size.value) || size.value < 0) return 0;
  const unit = size.unit.trim().toUpperCase();
  const factor = IEC[unit] ?? (kind === 'memory' ? BINARY : DECIMAL)[unit];
  return factor === undefined ? 0 : Math.round(size.value * factor);
}

const GIB = 1024 ** 3;

function trim(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0+$|(\.\d*?)0+$/, '$1');
}

/** Memory, rounded to the nearest GiB: `34359738368` → `32 GiB`. */
export function formatMemory(bytes: number): string {
  return `${Math.round(bytes / GIB)} GiB`;
}

/** Whole GiB rounded down: a limit must never be overstated (`31138512896` → `29 GiB`). */
export function formatGiBFloor(bytes: number): string {
  return `${Math.max(0, Math.floor(bytes / GIB))} GiB`;
}

const DECIMAL_STEPS = [
  { unit: 'TB', factor: 1000 ** 4 },
  { unit: 'GB', factor: 1000 ** 3 },
  { unit: 'MB', factor: 1000 ** 2 },
  { unit: 'KB', factor: 1000 },
] as const;

/** A disk as sold: `960000000000` → `960 GB`, `1920000000000` → `1.92 TB`. */
export function formatDiskSize(bytes: number): string {
  for (const { unit, factor } of DECIMAL_STEPS) {
    if (bytes >= factor) return `${trim(bytes / factor, 2)} ${unit}`;
  }
  return `${Math.max(0, bytes)} B`;
}

const DISK_TYPE_NAMES: Record<string, string> = { NVME: 'NVMe' };

/** `{ numberOfDisks: 2, diskSizeBytes: 960e9, diskType: 'NVME' }` → `2 × 960 GB NVMe`. */
export function formatDiskGroup(group: {
  numberOfDisks: number;
  diskSizeBytes: number;
  diskType: string;
}): string {
  const type = DISK_TYPE_NAMES[group.diskType.toUpperCase()] ?? group.diskType;
  return `${group.numberOfDisks} × ${formatDiskSize(group.diskSizeBytes)} ${type}`.trim();
}

const BINARY_STEPS = [
  { unit: 'TiB', factor: 1024 ** 4 },
  { unit: 'GiB', factor: 1024 ** 3 },
  { unit: 'MiB', factor: 1024 ** 2 },
  { unit: 'KiB', factor: 1024 },
] as const;

function approximate(bytes: number, kind: SizeKind): string {
  const steps = kind === 'memory' ? BINARY_STEPS : DECIMAL_STEPS;
  for (const { unit, factor } of steps) {
    if (bytes >= factor) return `${(bytes / factor).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * A size that a check compares, with its exact bytes: images and memory in binary units like
 * qemu-img prints them (`8.0 MiB (8388608 bytes)`), disks in decimal units as sold
 * (`16.0 MB (16000000 bytes)`).
 */
export function formatExactBytes(bytes: number, kind: SizeKind = 'memory'): string {
  if (bytes < 1000) return `${bytes} bytes`;
  return `${approximate(bytes, kind)} (${bytes} bytes)`;
}
