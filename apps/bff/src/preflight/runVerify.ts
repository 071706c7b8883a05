/**
 * "Verify checksum" from the operator's point of view: which checksum to compare with (typed, or
 * read from the checksum file), the download capped where OVH's would stop (RAM − 3 GiB), and every
 * way it can end turned into a result or an error that says what OVH would do with the same image.
 */
import {
  checksumStep,
  downloadSizeStep,
  explainUpstreamMessage,
  type HardwareDto,
  type PreflightProgressEvent,
  type PreflightRequest,
  type PreflightVerifyError,
  type PreflightVerifyResult,
} from '@byoi/shared';
import { readChecksumFile } from './checksumFileCheck.ts';
import { FetchError, GuardError } from './errors.ts';
import { downloadFailed, downloadFailureOf, refusedHostFailure } from './ovhDownload.ts';
import type { SafeFetch } from './safeFetch.ts';
import { verifyChecksum } from './verifyChecksum.ts';

export interface RunVerifyDeps {
  fetch: SafeFetch;
  signal?: AbortSignal;
  onProgress?: (event: PreflightProgressEvent) => void;
  progressIntervalMs?: number;
}

export type VerifyOutcome =
  | { kind: 'result'; body: PreflightVerifyResult }
  | { kind: 'error'; body: PreflightVerifyError }
  /** The client went away: nothing left to tell. */
  | { kind: 'cancelled' };

function predicted(
  code: PreflightVerifyError['code'],
  message: string,
  upstream: string,
): VerifyOutcome {
  return {
    kind: 'error',
    body: {
      code,
      message,
      predictedMessage: upstream,
      remedy: explainUpstreamMessage(upstream).remedy,
    },
  };
}

export async function runVerify(
  input: PreflightRequest,
  hardware: HardwareDto,
  deps: RunVerifyDeps,
): Promise<VerifyOutcome> {
  const headers = input.httpHeaders ?? [];
  let expected = input.imageCheckSum?.trim().toLowerCase() || undefined;
  let algorithm = input.imageCheckSumType;
  let matchedLine: string | undefined;

  if (!expected && input.checksumFileURL) {
    const { check, resolved } = await readChecksumFile(deps.fetch, input, headers, deps.signal);
    if (deps.signal?.aborted) return { kind: 'cancelled' };
    if (!resolved) {
      return {
        kind: 'error',
        body: { code: 'NO_CHECKSUM', message: check.sentence, remedy: check.remedy },
      };
    }
    expected = resolved.checksum;
    algorithm = resolved.type;
    matchedLine = resolved.matchedLine;
  }
  if (!expected || !algorithm) {
    return {
      kind: 'error',
      body: {
        code: 'NO_CHECKSUM',
        message: 'There is no checksum to compare with.',
        remedy:
          'Paste the image checksum and choose its type, or give the URL of a SHA256SUMS-style checksum file.',
      },
    };
  }

  try {
    const result = await verifyChecksum({
      fetch: deps.fetch,
      url: input.imageURL,
      headers,
      type: algorithm,
      maxBytes: hardware.imageLimitBytes,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.progressIntervalMs !== undefined
        ? { progressIntervalMs: deps.progressIntervalMs }
        : {}),
      onProgress: (p) =>
        deps.onProgress?.({
          bytes: p.bytes,
          totalBytes: p.total,
          bytesPerSecond: p.rateBytesPerSec,
          etaSeconds: p.etaSeconds === null ? null : Math.round(p.etaSeconds),
        }),
    });
    const match = result.checksum === expected;
    const body: PreflightVerifyResult = {
      match,
      algorithm,
      expected,
      actual: result.checksum,
      bytes: result.bytes,
      ...(matchedLine !== undefined ? { matchedLine } : {}),
    };
    const outcome = checksumStep({
      checksum: expected,
      checksumType: algorithm,
      actual: result.checksum,
    });
    if (outcome.status === 'fail') {
      body.predictedMessage = outcome.message;
      body.remedy = explainUpstreamMessage(outcome.message).remedy;
    }
    return { kind: 'result', body };
  } catch (error) {
    if (deps.signal?.aborted) return { kind: 'cancelled' };
    if (error instanceof GuardError) {
      return predicted(
        'PREFLIGHT_REFUSED',
        `${error.message} OVH downloads the image from the internet, where this address cannot be reached.`,
        downloadFailed(refusedHostFailure(input.imageURL, error)).message,
      );
    }
    if (error instanceof FetchError && error.kind === 'too-large') {
      const outcome = downloadSizeStep({
        // The download stopped one byte past the limit, or on a larger Content-Length.
        bytes: hardware.imageLimitBytes + 1,
        limitBytes: hardware.imageLimitBytes,
        imageType: input.imageType,
      });
      return predicted(
        'IMAGE_TOO_BIG',
        `The image is larger than the ${hardware.imageLimitBytes} bytes this server can download (its RAM minus 3 GiB): OVH would stop there too.`,
        outcome.status === 'fail' ? outcome.message : '',
      );
    }
    if (error instanceof FetchError) {
      return predicted(
        'DOWNLOAD_FAILED',
        `The image could not be downloaded: ${error.message}`,
        downloadFailed(downloadFailureOf(error)).message,
      );
    }
    throw error;
  }
}
