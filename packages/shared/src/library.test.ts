import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  CreateLibraryImageRequest,
  LibraryImageVersionInput,
  PreflightRequest,
  UpdateLibraryImageRequest,
} from './api.ts';
import { byoiFormSchema, fieldErrorsOf, INSTALL_FORM_FIELDS, MAX_HTTP_HEADERS } from './form.ts';
import {
  createLibraryImageSchema,
  LIBRARY_NAME_MAX_LENGTH,
  LIBRARY_NOTES_MAX_LENGTH,
  libraryImageVersionSchema,
  updateLibraryImageSchema,
} from './library.ts';

const version = { imageURL: 'https://images.example.com/debian-12.qcow2', imageType: 'qcow2' };
const SHA256 = 'a'.repeat(64);

function errorsOf<T extends z.ZodType>(schema: T, input: unknown): Record<string, string[]> {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return fieldErrorsOf(result.error);
}

describe('a library version', () => {
  it('takes the install form’s image fields, a checksum file URL and notes', () => {
    const parsed = libraryImageVersionSchema.parse({
      ...version,
      imageCheckSum: SHA256.toUpperCase(),
      imageCheckSumType: 'SHA256',
      checksumFileURL: ' https://images.example.com/SHA256SUMS ',
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
      notes: '  built from debian-12-genericcloud\n',
    });
    expect(parsed).toEqual({
      ...version,
      imageCheckSum: SHA256,
      imageCheckSumType: 'sha256',
      checksumFileURL: 'https://images.example.com/SHA256SUMS',
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
      notes: 'built from debian-12-genericcloud',
    });
  });

  it('gives the install form’s messages for the same mistakes', () => {
    const bad = {
      imageURL: 'ftp://images.example.com/a.raw',
      imageType: 'vmdk',
      efiBootloaderPath: 'grubx64',
      httpHeaders: [{ name: 'Bad Name', value: 'a\nb' }],
    };
    const library = errorsOf(libraryImageVersionSchema, bad);
    const form = errorsOf(byoiFormSchema, bad);
    for (const field of [
      'imageURL',
      'imageType',
      'efiBootloaderPath',
      'httpHeaders.0.name',
      'httpHeaders.0.value',
    ]) {
      expect(library[field], field).toEqual(form[field]);
    }
  });

  it('applies the checksum rule across fields', () => {
    expect(errorsOf(libraryImageVersionSchema, { ...version, imageCheckSum: SHA256 })).toEqual({
      imageCheckSumType: [expect.stringContaining('(a 64-character checksum is sha256)')],
    });
    expect(
      errorsOf(libraryImageVersionSchema, {
        ...version,
        imageCheckSum: SHA256,
        imageCheckSumType: 'md5',
      }).imageCheckSum,
    ).toEqual([expect.stringContaining('A md5 checksum has 32 hexadecimal characters')]);
    expect(
      errorsOf(libraryImageVersionSchema, { ...version, imageCheckSumType: 'sha512' }),
    ).toHaveProperty('imageCheckSum');
  });

  it('takes a header without its value (keep the stored one), blank meaning the same', () => {
    const parsed = libraryImageVersionSchema.parse({
      ...version,
      httpHeaders: [{ name: 'Authorization' }, { name: 'X-Token', value: '  ' }],
    });
    expect(parsed.httpHeaders).toEqual([
      { name: 'Authorization', value: undefined },
      { name: 'X-Token', value: undefined },
    ]);
  });

  it('refuses duplicate header names, unknown fields and too many headers', () => {
    expect(
      errorsOf(libraryImageVersionSchema, {
        ...version,
        httpHeaders: [{ name: 'Authorization' }, { name: 'authorization', value: 'x' }],
      }),
    ).toEqual({ 'httpHeaders.1.name': [expect.stringContaining('already set above')] });
    expect(errorsOf(libraryImageVersionSchema, { ...version, url: 'x' })._form).toEqual([
      expect.stringMatching(/unknown field "url".*accepted fields: imageURL/),
    ]);
    const many = Array.from({ length: MAX_HTTP_HEADERS + 1 }, (_, i) => ({ name: `X-${i}` }));
    expect(errorsOf(libraryImageVersionSchema, { ...version, httpHeaders: many })).toHaveProperty(
      'httpHeaders',
    );
  });

  it('wants the checksum file URL as http(s), without credentials', () => {
    for (const checksumFileURL of ['SHA256SUMS', 'ftp://h/SHA256SUMS', 'https://u:p@h/SUMS']) {
      expect(
        errorsOf(libraryImageVersionSchema, { ...version, checksumFileURL }),
        checksumFileURL,
      ).toHaveProperty('checksumFileURL');
    }
    expect(
      libraryImageVersionSchema.parse({ ...version, checksumFileURL: '' }).checksumFileURL,
    ).toBeUndefined();
  });

  it(`keeps notes to ${LIBRARY_NOTES_MAX_LENGTH} characters of text`, () => {
    expect(
      errorsOf(libraryImageVersionSchema, {
        ...version,
        notes: 'x'.repeat(LIBRARY_NOTES_MAX_LENGTH + 1),
      }).notes,
    ).toEqual([expect.stringContaining('Shorten them')]);
    expect(errorsOf(libraryImageVersionSchema, { ...version, notes: 'a\u0000b' })).toHaveProperty(
      'notes',
    );
  });
});

describe('a new image', () => {
  it(`has a name of 1 to ${LIBRARY_NAME_MAX_LENGTH} characters on one line`, () => {
    const parsed = createLibraryImageSchema.parse({ name: '  Debian 12  ', version });
    expect(parsed).toMatchObject({ name: 'Debian 12', notes: '' });
    expect(errorsOf(createLibraryImageSchema, { name: ' ', version }).name).toEqual([
      expect.stringContaining('Enter a name'),
    ]);
    expect(
      errorsOf(createLibraryImageSchema, { name: 'x'.repeat(LIBRARY_NAME_MAX_LENGTH + 1), version })
        .name,
    ).toEqual([expect.stringContaining('Shorten it')]);
    expect(errorsOf(createLibraryImageSchema, { name: 'a\nb', version })).toHaveProperty('name');
  });

  it('names the version’s fields under version.', () => {
    expect(
      Object.keys(errorsOf(createLibraryImageSchema, { name: 'x', version: { imageType: 'raw' } })),
    ).toEqual(['version.imageURL']);
    expect(Object.keys(errorsOf(createLibraryImageSchema, { name: 'x' }))).toEqual(['version']);
  });
});

describe('a change of name or notes', () => {
  it('needs at least one of them', () => {
    expect(updateLibraryImageSchema.parse({ notes: 'n' })).toEqual({ notes: 'n' });
    expect(errorsOf(updateLibraryImageSchema, {})._form).toEqual([
      expect.stringContaining('nothing to change'),
    ]);
    expect(errorsOf(updateLibraryImageSchema, { name: '' })).toHaveProperty('name');
  });
});

describe('a library image in the install form', () => {
  it('is an optional { id, version } reference, not a field the form shows', () => {
    expect(INSTALL_FORM_FIELDS.at(-1)).toBe('libraryImage');
    const form = {
      ...version,
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      libraryImage: { id: 'img-1', version: 2 },
    };
    expect(byoiFormSchema.parse(form).libraryImage).toEqual({ id: 'img-1', version: 2 });
    expect(
      errorsOf(byoiFormSchema, { ...form, libraryImage: { id: 'img-1', version: 1, x: 1 } }),
    ).toEqual({ libraryImage: [expect.stringContaining('unknown field "x"')] });
    expect(
      Object.keys(errorsOf(byoiFormSchema, { ...form, libraryImage: { id: '', version: 1.5 } })),
    ).toEqual(['libraryImage.id', 'libraryImage.version']);
  });
});

describe('the API types', () => {
  it('are what the schemas accept', () => {
    expectTypeOf<LibraryImageVersionInput>().toExtend<z.input<typeof libraryImageVersionSchema>>();
    expectTypeOf<CreateLibraryImageRequest>().toExtend<z.input<typeof createLibraryImageSchema>>();
    expectTypeOf<UpdateLibraryImageRequest>().toExtend<z.input<typeof updateLibraryImageSchema>>();
    expectTypeOf<NonNullable<PreflightRequest['libraryImage']>>().toExtend<
      NonNullable<z.input<typeof byoiFormSchema>['libraryImage']>
    >();
  });
});
