import type { FieldPath, FieldValues, UseFormSetError } from 'react-hook-form';
import { ApiError } from '../../data/client.ts';

/**
 * Puts the BFF's 400 `fieldErrors` on the fields of a library form, focusing the first; paths of
 * fields the form does not have are left to the page's message. `prefix` is what the form nests
 * the request under (a new version's body is the version itself, the form's `version`).
 */
export function applyLibraryFieldErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
  prefix = '',
): void {
  if (!(error instanceof ApiError)) return;
  let focused = false;
  for (const [path, messages] of Object.entries(error.fieldErrors)) {
    const full = `${prefix}${path}`;
    if (!fields.includes(full.split('.')[0] ?? '')) continue;
    setError(
      full as FieldPath<T>,
      { type: 'server', message: messages.join(' ') },
      { shouldFocus: !focused },
    );
    focused = true;
  }
}
