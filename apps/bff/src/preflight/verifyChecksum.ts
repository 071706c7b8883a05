/**
 * "Verify checksum": download the whole image once and hash it on the fly, as OVH will, so a
 * wrong checksum is found before the server is erased. Memory stays constant whatever the size:
 * each chunk is hashed and dropped, and the socket's backpressure paces the download.
 */
import { createHash } from 'node:crypto';
import type { ChecksumType } from '@byoi/shared';
import { FetchError } from './errors.ts';
import type { HeaderPair, SafeFetch } from './safeFetch.ts';

export interface VerifyProgress {
  bytes: number;
  /** From `Content-Length`; null when the host does not say. */
  total: number | null;
  rateBytesPerSec: number;
  /** Null while the rate or the total is unknown. */
  etaSeconds: number | null;
}

export interface VerifyInput {
  fetch: SafeFetch;
  url: string;
  headers?: HeaderPair[];
  type: ChecksumType;
  /** Stop past this many bytes (the server's RAM − 3 GiB: OVH would stop there too). */
  maxBytes: number;
  signal?: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
  /** Least time between two progress reports. */
  progressIntervalMs?: number;
  now?: () => number;
}

export interface VerifyResult {
  /** The image's actual checksum, lower-case hex. */
  checksum: string;
  type: ChecksumType;
  bytes: number;
  finalURL: string;
}

export async function verifyChecksum(input: VerifyInput): Promise<VerifyResult> {
  const now = input.now ?? Date.now;
  const interval = input.progressIntervalMs ?? 250;
  const res = await input.fetch(input.url, {
    headers: input.headers,
    maxBytes: input.maxBytes,
    signal: input.signal,
  });
  if (res.status < 200 || res.status > 299) {
    res.discard();
    throw new FetchError(
      'http-status',
      `The image host answered HTTP ${res.status} to the download.`,
      res.url,
      { kind: 'status', status: res.status },
    );
  }
  const lengthHeader = Number(res.headers['content-length'] ?? Number.NaN);
  const total = Number.isFinite(lengthHeader) && lengthHeader >= 0 ? lengthHeader : null;
  if (total !== null && total > input.maxBytes) {
    // OVH refuses by Content-Length before downloading: so does the verification.
    res.discard();
    throw new FetchError(
      'too-large',
      `The image is ${total} bytes, more than the ${input.maxBytes} bytes allowed for this download.`,
      res.url,
    );
  }
  const hash = createHash(input.type);
  const started = now();
  let bytes = 0;
  let lastReport = started;

  const progress = (): VerifyProgress => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? bytes / seconds : 0;
    const eta = total !== null && rate > 0 ? Math.max(0, (total - bytes) / rate) : null;
    return { bytes, total, rateBytesPerSec: Math.round(rate), etaSeconds: eta };
  };

  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      const t = now();
      // The last chunk's report is the final one below, not a second one of the same bytes.
      if (input.onProgress && t - lastReport >= interval && bytes !== total) {
        lastReport = t;
        input.onProgress(progress());
      }
    }
  } catch (error) {
    res.discard();
    if (input.signal?.aborted)
      throw new FetchError('aborted', 'The verification was cancelled.', res.url);
    throw error;
  }
  input.onProgress?.(progress());
  return { checksum: hash.digest('hex'), type: input.type, bytes, finalURL: res.url };
}
