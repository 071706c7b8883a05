import type { ByoiFormInput } from '@byoi/shared';
import type { FieldPath, UseFormSetError } from 'react-hook-form';

const FORM_FIELDS = new Set([
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'httpHeaders',
  'configDriveUserData',
  'configDriveMetadata',
  'customHostname',
  'sshKey',
  'efiBootloaderPath',
]);

/**
 * Puts the BFF's 400 `fieldErrors` (keyed `imageURL`, `httpHeaders.0.value`, …) on the fields they
 * name, focusing the first; returns the messages that belong to no field, for a page-level message.
 */
export function applyFieldErrors(
  fieldErrors: Record<string, string[]>,
  setError: UseFormSetError<ByoiFormInput>,
): string[] {
  const unplaced: string[] = [];
  let focused = false;
  for (const [path, messages] of Object.entries(fieldErrors)) {
    const message = messages.join(' ');
    const root = path.split('.')[0] ?? '';
    if (!FORM_FIELDS.has(root)) {
      unplaced.push(message);
      continue;
    }
    setError(
      path as FieldPath<ByoiFormInput>,
      { type: 'server', message },
      { shouldFocus: !focused },
    );
    focused = true;
  }
  return unplaced;
}
