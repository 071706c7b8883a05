/**
 * The checksum-file check: fetch the operator's SHA256SUMS-style file (through the guarded client)
 * and find the image's line, so the checksum and its type are filled from the publisher's list.
 */
import type { PreflightCheck, PreflightReport, PreflightRequest } from '@byoi/shared';
import { findChecksumInFile, imageFileName } from './checksumFile.ts';
import { FetchError, GuardError } from './errors.ts';
import { statusText } from './httpStatus.ts';
import type { HeaderPair, SafeFetch } from './safeFetch.ts';

/** The most a checksum file may weigh: real ones are a few KiB. */
export const CHECKSUM_FILE_MAX_BYTES = 1024 * 1024;

export async function readChecksumFile(
  fetch: SafeFetch,
  input: PreflightRequest,
  headers: HeaderPair[],
  signal: AbortSignal | undefined,
): Promise<{ check: PreflightCheck; resolved?: PreflightReport['resolvedChecksum'] }> {
  const url = input.checksumFileURL ?? '';
  const title = 'Checksum file';
  const name = imageFileName(input.imageURL);
  const fail = (sentence: string, remedy: string) => ({
    check: { id: 'checksumFile' as const, status: 'fail' as const, title, sentence, remedy },
  });
  let text: string;
  try {
    // The operator's headers belong to the image's host: only sent when the file lives there too.
    const sameOrigin = new URL(url).origin === new URL(input.imageURL).origin;
    const res = await fetch(url, {
      headers: sameOrigin ? headers : [],
      maxBytes: CHECKSUM_FILE_MAX_BYTES,
      label: 'checksum file host',
      signal,
    });
    if (res.status < 200 || res.status > 299) {
      res.discard();
      return fail(
        `The checksum file could not be read: its host answered ${statusText(res.status)}.`,
        'Check the checksum file URL, or paste the checksum itself instead.',
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof GuardError) {
      return fail(
        error.message,
        'Give the URL of a checksum file on a public address, or paste the checksum itself.',
      );
    }
    if (error instanceof FetchError && error.kind === 'too-large') {
      return fail(
        `The checksum file is larger than ${CHECKSUM_FILE_MAX_BYTES / 1024 / 1024} MiB: that is not a SHA256SUMS-style list.`,
        'Give the URL of the SHA256SUMS (or SHA512SUMS, MD5SUMS) file published next to the image.',
      );
    }
    if (error instanceof FetchError) {
      return fail(
        `The checksum file could not be read: ${error.message}`,
        'Check the checksum file URL, or paste the checksum itself instead.',
      );
    }
    throw error;
  }
  const match = findChecksumInFile(text, name);
  if (!match) {
    return fail(
      `No line of the checksum file names ${name}.`,
      `Check that the file lists ${name} (as \`<checksum>  ${name}\` or \`SHA256 (${name}) = <checksum>\`), or paste the checksum itself.`,
    );
  }
  const typed = input.imageCheckSum?.trim().toLowerCase();
  if (typed && typed !== match.checksum) {
    return fail(
      `The checksum typed in the form differs from the one the checksum file gives for ${name} (line: ${match.matchedLine}).`,
      'Clear the Image checksum field to use the file, or check which of the two is right.',
    );
  }
  return {
    check: {
      id: 'checksumFile',
      status: 'pass',
      title,
      sentence: `Found the ${match.type} checksum of ${name} in the checksum file, on the line: ${match.matchedLine}`,
    },
    resolved: match,
  };
}
