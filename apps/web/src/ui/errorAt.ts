import { get } from 'react-hook-form';
import type { FieldErrors, FieldValues } from 'react-hook-form';

/** The message of the form error at a dotted path (`image.httpHeaders.0.value`), if any. */
export function errorAt<T extends FieldValues>(
  errors: FieldErrors<T>,
  path: string,
): string | undefined {
  const found: unknown = get(errors, path);
  if (typeof found !== 'object' || found === null || !('message' in found)) return undefined;
  return typeof found.message === 'string' ? found.message : undefined;
}
