import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { MAX_REDIRECTS, downloadFailureFromCode } from '@byoi/shared';
import type { DownloadFailure } from '@byoi/shared';

/** Bytes kept from the start of the image for format sniffing; the rest is only hashed and counted. */
export const HEAD_BYTES = 1024 * 1024;

export interface DownloadOptions {
  url: string;
  headers: Record<string, string>;
  /** RAM − 3 GiB: more bytes than this cannot be held in memory by OVH's installer. */
  limitBytes: number;
  /** Hash algorithm to compute while streaming (`md5`, `sha1`, `sha256`, `sha512`), if any. */
  hash?: string;
  /** Gives up when the server sends nothing for this long. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** How much of the image a download held in memory at once, at most (see `DownloadRecord`). */
export interface HeldBytes {
  peakHeldBytes: number;
}

export type DownloadResult = (
  | {
      outcome: 'ok';
      size: number;
      head: Uint8Array;
      /** In the requested `hash` algorithm, when one was asked for. */
      digest: string | null;
      /** Always computed: what the simulated disk records as written. */
      sha256: string;
    }
  | { outcome: 'unreachable'; failure: DownloadFailure }
  /** More bytes than the limit, announced or counted; `bytes` is how many were seen. */
  | { outcome: 'tooBig'; bytes: number }
) &
  HeldBytes;

class TooBig extends Error {
  constructor(readonly bytes: number) {
    super(`more than the limit received (${bytes} bytes)`);
  }
}

/**
 * Streams the image like OVH's installer would: with the operator's headers, following redirects,
 * refusing it when it cannot fit in RAM − 3 GiB (by `Content-Length` up front, else by counting).
 * Memory stays flat: only the first `HEAD_BYTES` and running hashes are kept.
 */
export async function downloadImage(options: DownloadOptions): Promise<DownloadResult> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return {
      outcome: 'unreachable',
      failure: { kind: 'protocol', detail: 'URL rejected: Malformed input to a URL function' },
      peakHeldBytes: 0,
    };
  }
  const origin = url.origin;
  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return {
        outcome: 'unreachable',
        failure: {
          kind: 'protocol',
          detail: `Protocol "${url.protocol.replace(/:$/, '')}" not supported`,
        },
        peakHeldBytes: 0,
      };
    }
    let response: IncomingMessage;
    try {
      // Like curl -L: the operator's headers (credentials, often) never follow a redirect elsewhere.
      response = await get(url, url.origin === origin ? options.headers : {}, options);
    } catch (error) {
      options.signal.throwIfAborted();
      return { outcome: 'unreachable', failure: failureOf(error, url), peakHeldBytes: 0 };
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      try {
        url = new URL(location, url);
      } catch {
        return {
          outcome: 'unreachable',
          failure: { kind: 'protocol', detail: 'Redirect location is not a valid URL' },
          peakHeldBytes: 0,
        };
      }
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      return { outcome: 'unreachable', failure: { kind: 'status', status }, peakHeldBytes: 0 };
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.limitBytes) {
      response.destroy();
      return { outcome: 'tooBig', bytes: declared, peakHeldBytes: 0 };
    }
    return await consume(response, url, options);
  }
  return { outcome: 'unreachable', failure: { kind: 'redirects' }, peakHeldBytes: 0 };
}

function get(
  url: URL,
  headers: Record<string, string>,
  options: DownloadOptions,
): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers, signal: options.signal }, resolve);
    request.setTimeout(options.timeoutMs, () => {
      request.destroy(
        Object.assign(new Error(`no data for ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      );
    });
    request.on('error', reject);
  });
}

async function consume(
  response: IncomingMessage,
  url: URL,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const sha256 = createHash('sha256');
  // One sha256 serves both when that is the requested algorithm.
  const hash: Hash | null =
    options.hash && options.hash !== 'sha256' ? createHash(options.hash) : null;
  const head = new Uint8Array(HEAD_BYTES);
  let headLength = 0;
  let size = 0;
  // The head buffer is held throughout; each chunk while it is hashed, with whatever the socket
  // has buffered behind it (bounded by the stream's highWaterMark plus one read).
  let peakHeldBytes = HEAD_BYTES;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      peakHeldBytes = Math.max(
        peakHeldBytes,
        HEAD_BYTES + chunk.byteLength + response.readableLength,
      );
      size += chunk.byteLength;
      if (size > options.limitBytes) throw new TooBig(size);
      if (headLength < HEAD_BYTES) {
        const take = chunk.subarray(0, HEAD_BYTES - headLength);
        head.set(take, headLength);
        headLength += take.byteLength;
      }
      hash?.update(chunk);
      sha256.update(chunk);
    }
  } catch (error) {
    response.destroy();
    options.signal.throwIfAborted();
    if (error instanceof TooBig) return { outcome: 'tooBig', bytes: error.bytes, peakHeldBytes };
    // The answer had begun: a connection lost now leaves the transfer short.
    const failure = failureOf(error, url);
    return {
      outcome: 'unreachable',
      failure: failure.kind === 'reset' ? { kind: 'closed' } : failure,
      peakHeldBytes,
    };
  }
  if (!response.complete) {
    return { outcome: 'unreachable', failure: { kind: 'closed' }, peakHeldBytes };
  }
  const sha256Hex = sha256.digest('hex');
  return {
    outcome: 'ok',
    size,
    head: head.slice(0, headLength),
    digest: hash ? hash.digest('hex') : options.hash === 'sha256' ? sha256Hex : null,
    sha256: sha256Hex,
    peakHeldBytes,
  };
}

/** A socket error as the installer reports it (packages/shared's `downloadFailureFromCode`). */
function failureOf(error: unknown, url: URL): DownloadFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return downloadFailureFromCode(typeof code === 'string' ? code : 'ECONNRESET', url);
}
