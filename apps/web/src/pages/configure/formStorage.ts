/**
 * Keeps the values of the last install started on each server, in sessionStorage, for the explicit
 * ways back: "Edit and retry", "Reinstall with the same image" and "Use the last values". Nothing
 * comes back without one of them. HTTP header values are secrets (tokens, Basic credentials): they
 * are blanked before anything is written, so they never touch storage.
 */
import type { ByoiFormInput } from '@byoi/shared';
import type { LibrarySource } from './prefill.ts';

const PREFIX = 'byoi:install-form:';
const LIBRARY_PREFIX = 'byoi:install-library:';

export const storageKey = (sn: string) => `${PREFIX}${sn}`;

export function withoutSecrets(values: ByoiFormInput): ByoiFormInput {
  return {
    ...values,
    httpHeaders: (values.httpHeaders ?? []).map((header) => ({ name: header.name, value: '' })),
  };
}

export function saveForm(sn: string, values: ByoiFormInput): void {
  try {
    sessionStorage.setItem(storageKey(sn), JSON.stringify(withoutSecrets(values)));
  } catch {
    // Storage full or disabled (private mode): the form still works, it just won't survive a reload.
  }
}

/**
 * The library image version the last install came from (names only, like the library gives them):
 * "Edit and retry" keeps it, so the BFF adds its stored header values again.
 */
export function saveLibrarySource(sn: string, library: LibrarySource | null): void {
  try {
    if (library) sessionStorage.setItem(`${LIBRARY_PREFIX}${sn}`, JSON.stringify(library));
    else sessionStorage.removeItem(`${LIBRARY_PREFIX}${sn}`);
  } catch {
    // As for saveForm: without storage, a retry asks for the headers instead.
  }
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

export function loadLibrarySource(sn: string): LibrarySource | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(sessionStorage.getItem(`${LIBRARY_PREFIX}${sn}`) ?? 'null');
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  const ref = record.ref as Record<string, unknown> | null | undefined;
  if (
    typeof ref?.id !== 'string' ||
    typeof ref.version !== 'number' ||
    typeof record.name !== 'string' ||
    !isStringList(record.headerNames) ||
    !(typeof record.origin === 'string' || record.origin === null)
  ) {
    return null;
  }
  return {
    ref: { id: ref.id, version: ref.version },
    name: record.name,
    headerNames: record.headerNames,
    origin: record.origin,
    filled: [],
  };
}

function isPairList(value: unknown, a: string, b: string): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (row: unknown) =>
        typeof row === 'object' &&
        row !== null &&
        typeof (row as Record<string, unknown>)[a] === 'string' &&
        typeof (row as Record<string, unknown>)[b] === 'string',
    )
  );
}

const TEXT_FIELDS = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'configDriveUserData',
  'customHostname',
  'sshKey',
  'efiBootloaderPath',
] as const;

/** What was saved for this server, or undefined; anything malformed is ignored, not trusted. */
export function loadForm(sn: string): Partial<ByoiFormInput> | undefined {
  let raw: string | null;
  try {
    raw = sessionStorage.getItem(storageKey(sn));
  } catch {
    return undefined;
  }
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const field of TEXT_FIELDS) {
    if (typeof record[field] === 'string') result[field] = record[field];
  }
  if (isPairList(record.httpHeaders, 'name', 'value')) {
    result.httpHeaders = (record.httpHeaders as { name: string }[]).map((h) => ({
      name: h.name,
      value: '',
    }));
  }
  if (isPairList(record.configDriveMetadata, 'key', 'value')) {
    result.configDriveMetadata = record.configDriveMetadata;
  }
  return result;
}

/** How the values come back: every field (retry, "Use the last values") or the image's only. */
export type RestoreScope = 'all' | 'image';

/** The fields in the form's order, with their labels, and whether they describe the image. */
const RESTORABLE = [
  ['imageURL', 'Image URL', 'image'],
  ['imageType', 'Image type', 'image'],
  ['imageCheckSum', 'Image checksum', 'image'],
  ['imageCheckSumType', 'Checksum type', 'image'],
  ['efiBootloaderPath', 'EFI bootloader path', 'image'],
  ['customHostname', 'Custom hostname', 'options'],
  ['sshKey', 'SSH public key', 'options'],
  ['configDriveUserData', 'Config Drive user data', 'options'],
  ['configDriveMetadata', 'Config Drive metadata', 'options'],
  // The headers reach the image's host: names only, the values are never kept.
  ['httpHeaders', 'HTTP header names', 'image'],
] as const satisfies readonly (readonly [keyof ByoiFormInput, string, 'image' | 'options'])[];

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * What a restore puts back over the form's defaults, and the labels of those fields for the banner:
 * only non-empty values that differ from the default (the server's EFI path is not "restored").
 */
export function restoreFrom(
  stored: Partial<ByoiFormInput>,
  scope: RestoreScope,
  defaults: ByoiFormInput,
): { values: Partial<ByoiFormInput>; fields: string[] } {
  const values: Record<string, unknown> = {};
  const fields: string[] = [];
  for (const [field, label, group] of RESTORABLE) {
    if (scope === 'image' && group !== 'image') continue;
    const value: unknown =
      field === 'httpHeaders'
        ? stored.httpHeaders?.map((h) => ({ name: h.name, value: '' }))
        : stored[field];
    if (isEmpty(value) || JSON.stringify(value) === JSON.stringify(defaults[field])) continue;
    values[field] = value;
    fields.push(label);
  }
  return { values, fields };
}
