/**
 * Two small requests that tell most of what OVH's download will meet: a HEAD for the headers, and
 * a ranged GET for the first bytes (at most `SNIFF_BYTES`), which is also the fallback when HEAD
 * is refused. OVH downloads with GET, so the GET decides whether the image is reachable.
 */
import { SNIFF_BYTES } from '@byoi/shared';
import type { IncomingHttpHeaders } from 'node:http';
import { FetchError, GuardError } from './errors.ts';
import type { HeaderPair, SafeFetch, TlsFacts } from './safeFetch.ts';

export interface ProbeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  url: string;
  redirects: string[];
  tls: TlsFacts | null;
}

export interface ImageProbe {
  /** HEAD's answer, or why it failed. */
  head: ProbeAnswer | FetchError;
  /** The ranged GET's answer, or why it failed. */
  get: ProbeAnswer | FetchError;
  /** The first bytes of the image (empty unless the GET answered 2xx). */
  prefix: Buffer;
  /** The whole image's size: HEAD's `Content-Length`, else the GET's `Content-Range` total. */
  contentLength: number | null;
  /** `Accept-Ranges: bytes`, or a 206 answer to the ranged GET. */
  acceptRanges: boolean;
}

const isOk = (status: number) => status >= 200 && status <= 299;

function parseLength(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number(value);
}

/** `bytes 0-1048575/123456789` → 123456789. */
function rangeTotal(value: string | undefined): number | null {
  const match = /\/(\d+)\s*$/.exec(value ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

async function attempt<T>(run: () => Promise<T>): Promise<T | FetchError> {
  try {
    return await run();
  } catch (error) {
    // A guard refusal is not a network failure: the whole preflight stops there.
    if (error instanceof GuardError) throw error;
    if (error instanceof FetchError) return error;
    throw error;
  }
}

export async function probeImage(
  fetch: SafeFetch,
  url: string,
  headers: HeaderPair[],
  signal?: AbortSignal,
): Promise<ImageProbe> {
  const head = await attempt(async () => {
    const res = await fetch(url, { method: 'HEAD', headers, signal });
    res.discard();
    return {
      status: res.status,
      headers: res.headers,
      url: res.url,
      redirects: res.redirects,
      tls: res.tls,
    };
  });

  let prefix: Buffer = Buffer.alloc(0);
  const get = await attempt(async () => {
    const res = await fetch(url, {
      headers,
      range: { start: 0, end: SNIFF_BYTES - 1 },
      // A host that ignores Range sends everything: read the prefix, then hang up.
      maxBytes: Number.MAX_SAFE_INTEGER,
      signal,
    });
    if (isOk(res.status)) prefix = await res.readPrefix(SNIFF_BYTES);
    else res.discard();
    return {
      status: res.status,
      headers: res.headers,
      url: res.url,
      redirects: res.redirects,
      tls: res.tls,
    };
  });

  const headOk = !(head instanceof FetchError) && isOk(head.status);
  const getOk = !(get instanceof FetchError) && isOk(get.status);
  let contentLength: number | null = null;
  if (headOk) contentLength = parseLength(head.headers['content-length']);
  if (contentLength === null && getOk) {
    contentLength =
      get.status === 206
        ? rangeTotal(get.headers['content-range'])
        : parseLength(get.headers['content-length']);
  }
  const saysBytes = (a: ProbeAnswer | FetchError) =>
    !(a instanceof FetchError) &&
    isOk(a.status) &&
    /\bbytes\b/i.test(a.headers['accept-ranges'] ?? '');
  const acceptRanges = saysBytes(head) || saysBytes(get) || (getOk && get.status === 206);

  return { head, get, prefix, contentLength, acceptRanges };
}
