/**
 * The image library's requests: a named image and its versions, each version an image as the
 * install form describes it (same field rules, same messages) plus a checksum file URL and notes.
 * A version's HTTP header may come without its value: the BFF then keeps the value the previous
 * version stored under that name, since the browser never has it.
 */
import { z } from 'zod';
import {
  checksumPairRule,
  httpHeaderNamesRule,
  imageFieldRules,
  MAX_HTTP_HEADERS,
  objectMessages,
} from './form.ts';

export const LIBRARY_NAME_MAX_LENGTH = 100;
export const LIBRARY_NOTES_MAX_LENGTH = 2000;
export const CHECKSUM_FILE_URL_MAX_LENGTH = 2000;

/** Control characters other than tab and line breaks, or a lone surrogate (not encodable as UTF-8). */
const NOT_TEXT = /[^\t\n\r\P{Cc}]|\p{Cs}/u;
const CONTROL_CHAR = /\p{Cc}|\p{Cs}/u;

/**
 * A checksum file (SHA256SUMS and the like) that names the image: the preflight reads the checksum
 * from it. Blank means absent, as in the install form.
 */
export const checksumFileURLSchema = z
  .string({ error: 'The checksum file URL must be text.' })
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value.length > CHECKSUM_FILE_URL_MAX_LENGTH) {
      return fail(
        `The checksum file URL is longer than ${CHECKSUM_FILE_URL_MAX_LENGTH} characters.`,
      );
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(
        'The checksum file URL is not a valid URL. Write it as https://host/path/SHA256SUMS.',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return fail('The checksum file URL must start with http:// or https://.');
    }
    if (url.username !== '' || url.password !== '') {
      return fail(
        'The checksum file URL must not contain a user name or password: the image HTTP headers are sent to it when it is on the image host.',
      );
    }
  });

const name = z
  .string({ error: 'The image name must be text.' })
  .trim()
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value === '') {
      return fail('Enter a name for the image, e.g. Debian 12 web servers.');
    }
    if (value.length > LIBRARY_NAME_MAX_LENGTH) {
      return fail(
        `The image name is ${value.length} characters long; the limit is ${LIBRARY_NAME_MAX_LENGTH}. Shorten it, and put the details in the notes.`,
      );
    }
    if (CONTROL_CHAR.test(value)) {
      return fail(
        'The image name must be one line of text: remove line breaks, tabs and other control characters.',
      );
    }
  });

function notes(what: string) {
  return z
    .string({ error: `${what} must be text.` })
    .trim()
    .superRefine((value, ctx) => {
      if (value.length > LIBRARY_NOTES_MAX_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} are ${value.length} characters long; the limit is ${LIBRARY_NOTES_MAX_LENGTH}. Shorten them.`,
        });
      } else if (NOT_TEXT.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} contain a control character (such as NUL) or a broken Unicode character. Type them again; line breaks and tabs are fine.`,
        });
      }
    });
}

/** Blank or absent: keep the value the previous version stored under this name. */
const keptOrNewValue = z
  .string({ error: 'The HTTP header value must be text, or left out to keep the stored one.' })
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value))
  .pipe(imageFieldRules.httpHeaderValue.optional());

const libraryHeader = z.strictObject(
  { name: imageFieldRules.httpHeaderName, value: keptOrNewValue },
  { error: objectMessages('An HTTP header', ['name', 'value']) },
);

const VERSION_FIELDS = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'checksumFileURL',
  'efiBootloaderPath',
  'httpHeaders',
  'notes',
] as const;

export const libraryImageVersionSchema = z
  .strictObject(
    {
      imageURL: imageFieldRules.imageURL,
      imageType: imageFieldRules.imageType,
      imageCheckSum: imageFieldRules.imageCheckSum,
      imageCheckSumType: imageFieldRules.imageCheckSumType,
      checksumFileURL: checksumFileURLSchema,
      efiBootloaderPath: imageFieldRules.efiBootloaderPath,
      httpHeaders: z
        .array(libraryHeader, { error: 'HTTP headers must be a list of name/value pairs.' })
        .max(MAX_HTTP_HEADERS, {
          error: `OVH accepts at most ${MAX_HTTP_HEADERS} HTTP headers. Remove the ones the image server does not need.`,
        })
        .default([]),
      notes: notes('The version notes').default(''),
    },
    { error: objectMessages('The image version', VERSION_FIELDS) },
  )
  .superRefine(
    (version, ctx) => {
      checksumPairRule(version, ctx);
      httpHeaderNamesRule(version.httpHeaders, ctx);
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type LibraryImageVersion = z.output<typeof libraryImageVersionSchema>;

/** `POST /api/images`. */
export const createLibraryImageSchema = z.strictObject(
  {
    name,
    notes: notes('The image notes').default(''),
    version: libraryImageVersionSchema,
  },
  { error: objectMessages('The new image', ['name', 'notes', 'version']) },
);

export type CreateLibraryImage = z.output<typeof createLibraryImageSchema>;

/** `PATCH /api/images/:id`: the name, the notes, or both. */
export const updateLibraryImageSchema = z
  .strictObject(
    { name: name.optional(), notes: notes('The image notes').optional() },
    { error: objectMessages('The image change', ['name', 'notes']) },
  )
  .refine((patch) => patch.name !== undefined || patch.notes !== undefined, {
    message: 'Send the new name, the new notes, or both: there is nothing to change.',
  });

export type UpdateLibraryImage = z.output<typeof updateLibraryImageSchema>;
