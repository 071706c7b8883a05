import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';

/** Bytes kept from the start of the image for format sniffing; the rest is only hashed and counted. */
export const HEAD_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;

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

export type DownloadResult =
  | {
      outcome: 'ok';
      size: number;
      head: Uint8Array;
      /** In the requested `hash` algorithm, when one was asked for. */
      digest: string | null;
      /** Always computed: what the simulated disk records as written. */
      sha256: string;
    }
  | { outcome: 'unreachable'; reason: string }
  | { outcome: 'tooBig'; reason: string };

class TooBig extends Error {}

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
    return { outcome: 'unreachable', reason: 'the URL cannot be parsed' };
  }
  const origin = url.origin;
  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { outcome: 'unreachable', reason: `unsupported protocol ${url.protocol}` };
    }
    let response: IncomingMessage;
    try {
      // Like curl -L: the operator's headers (credentials, often) never follow a redirect elsewhere.
      response = await get(url, url.origin === origin ? options.headers : {}, options);
    } catch (error) {
      options.signal.throwIfAborted();
      return { outcome: 'unreachable', reason: describe(error) };
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      url = new URL(location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      return { outcome: 'unreachable', reason: `HTTP ${status}` };
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.limitBytes) {
      response.destroy();
      return { outcome: 'tooBig', reason: `Content-Length ${declared} > ${options.limitBytes}` };
    }
    return await consume(response, options);
  }
  return { outcome: 'unreachable', reason: `more than ${MAX_REDIRECTS} redirects` };
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
      request.destroy(new Error(`no data for ${options.timeoutMs} ms`));
    });
    request.on('error', reject);
  });
}

async function consume(
  response: IncomingMessage,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const sha256 = createHash('sha256');
  // One sha256 serves both when that is the requested algorithm.
  const hash: Hash | null =
    options.hash && options.hash !== 'sha256' ? createHash(options.hash) : null;
  const head = new Uint8Array(HEAD_BYTES);
  let headLength = 0;
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > options.limitBytes)
        throw new TooBig(`more than ${options.limitBytes} bytes received`);
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
    if (error instanceof TooBig) return { outcome: 'tooBig', reason: error.message };
    return { outcome: 'unreachable', reason: describe(error) };
  }
  if (!response.complete) return { outcome: 'unreachable', reason: 'the connection closed early' };
  const sha256Hex = sha256.digest('hex');
  return {
    outcome: 'ok',
    size,
    head: head.slice(0, headLength),
    digest: hash ? hash.digest('hex') : options.hash === 'sha256' ? sha256Hex : null,
    sha256: sha256Hex,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
