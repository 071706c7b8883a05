/**
 * The library's two forms (a new image with its first version, and a new version of an image) on
 * the shared schemas of packages/shared, as the BFF validates them. One values type for both: the
 * new-version form shows no name or notes and sends only `version`.
 */
import {
  createLibraryImageSchema,
  libraryImageVersionSchema,
  type CreateLibraryImage,
  type CreateLibraryImageRequest,
  type LibraryImageVersionDto,
  type LibraryImageVersionInput,
} from '@byoi/shared';
import { zodResolver } from '@hookform/resolvers/zod';
import type { Resolver } from 'react-hook-form';
import { z } from 'zod';

interface LibraryHeaderRow {
  name: string;
  /** Blank: keeps the value the previous version stored under `name` (new versions only). */
  value: string;
}

/** What the inputs hold: every field a string, the image type '' until chosen. */
export interface LibraryFormInput {
  name: string;
  notes: string;
  version: {
    imageURL: string;
    imageType: string;
    imageCheckSum: string;
    imageCheckSumType: string;
    checksumFileURL: string;
    efiBootloaderPath: string;
    httpHeaders: LibraryHeaderRow[];
    notes: string;
  };
}

export type LibraryFormOutput = CreateLibraryImage;

export const EMPTY_LIBRARY_FORM: LibraryFormInput = {
  name: '',
  notes: '',
  version: {
    imageURL: '',
    imageType: '',
    imageCheckSum: '',
    imageCheckSumType: '',
    checksumFileURL: '',
    efiBootloaderPath: '',
    httpHeaders: [],
    notes: '',
  },
};

/**
 * The resolver of the form on a shared schema. The cast narrows the schema's input (optional
 * fields) to what the inputs always hold (strings); the values are the same.
 */
function resolverOf(
  schema: z.ZodType<LibraryFormOutput, unknown>,
): Resolver<LibraryFormInput, unknown, LibraryFormOutput> {
  return zodResolver(schema as z.ZodType<LibraryFormOutput, LibraryFormInput>);
}

/** `POST /api/images`: the name, the notes and the first version. */
export const createImageResolver = resolverOf(createLibraryImageSchema);

/** `POST /api/images/:id/versions`: only `version` is validated and sent. */
export const newVersionResolver = resolverOf(
  z.object({ name: z.string(), notes: z.string(), version: libraryImageVersionSchema }),
);

/**
 * A new version starts as the latest: the same fields, its header names with empty values, which
 * keep the stored values unless the operator types new ones.
 */
export function formFromVersion(version: LibraryImageVersionDto): LibraryFormInput {
  return {
    name: '',
    notes: '',
    version: {
      imageURL: version.imageURL,
      imageType: version.imageType,
      imageCheckSum: version.imageCheckSum ?? '',
      imageCheckSumType: version.imageCheckSumType ?? '',
      checksumFileURL: version.checksumFileURL ?? '',
      efiBootloaderPath: version.efiBootloaderPath ?? '',
      httpHeaders: version.httpHeaders.map((header) => ({ name: header.name, value: '' })),
      notes: '',
    },
  };
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function isStoredName(name: string, storedNames: readonly string[]): boolean {
  return name.trim() !== '' && storedNames.some((stored) => sameName(stored, name));
}

/**
 * Rows whose value is blank although no stored value exists under their name: the BFF would have
 * nothing to keep. Their indexes, for a message on each.
 */
export function headersWithoutValue(
  rows: readonly LibraryHeaderRow[],
  storedNames: readonly string[],
): number[] {
  return rows.flatMap((row, index) =>
    row.value.trim() === '' && !isStoredName(row.name, storedNames) ? [index] : [],
  );
}

/** The version as the BFF takes it: blanks left out, a kept header without `value`. */
export function versionRequestOf(version: LibraryFormOutput['version']): LibraryImageVersionInput {
  return {
    imageURL: version.imageURL,
    imageType: version.imageType,
    ...(version.imageCheckSum ? { imageCheckSum: version.imageCheckSum } : {}),
    ...(version.imageCheckSumType ? { imageCheckSumType: version.imageCheckSumType } : {}),
    ...(version.checksumFileURL ? { checksumFileURL: version.checksumFileURL } : {}),
    ...(version.efiBootloaderPath ? { efiBootloaderPath: version.efiBootloaderPath } : {}),
    httpHeaders: version.httpHeaders.map((header) =>
      header.value === undefined
        ? { name: header.name }
        : { name: header.name, value: header.value },
    ),
    ...(version.notes ? { notes: version.notes } : {}),
  };
}

export function createRequestOf(form: LibraryFormOutput): CreateLibraryImageRequest {
  return {
    name: form.name,
    ...(form.notes ? { notes: form.notes } : {}),
    version: versionRequestOf(form.version),
  };
}
