/**
 * Keeps the configuration form across reloads and "Edit and retry", per server, in sessionStorage.
 * HTTP header values are secrets (tokens, Basic credentials): they are blanked before anything is
 * written, so they never touch storage.
 */
import type { ByoiFormInput } from '@byoi/shared';

const PREFIX = 'byoi:install-form:';

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
