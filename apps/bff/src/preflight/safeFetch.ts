/**
 * The only HTTP client the preflight uses to reach an operator's image host. Every hop is checked
 * by the address guard, the socket connects to exactly the address the guard approved (a custom
 * `lookup`, so no second DNS answer can differ), redirects are followed by hand, and time and
 * byte limits apply to every request. Bodies are streamed, never buffered beyond what is asked.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type https from 'node:https';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { MAX_REDIRECTS, downloadFailureFromCode, type DownloadFailure } from '@byoi/shared';
import type { AddressGuard } from './addressGuard.ts';
import { FetchError } from './errors.ts';
import { pinnedRequest } from './pinnedRequest.ts';

export interface HeaderPair {
  name: string;
  value: string;
}

export interface SafeFetchInit {
  method?: 'GET' | 'HEAD';
  /** The operator's headers: sent to the URL's own origin only, dropped on a cross-origin hop. */
  headers?: HeaderPair[];
  /** Inclusive byte range, sent as `Range: bytes=start-end`. */
  range?: { start: number; end: number };
  /** Most body bytes to accept; past it the body stream fails with `FetchError('too-large')`. */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Names the host in guard and error messages, e.g. "checksum file host". */
  label?: string;
}

export interface TlsFacts {
  authorized: boolean;
  protocol: string | null;
}

export interface SafeResponse {
  /** The URL that answered, after redirects. */
  url: string;
  /** Every URL visited before `url`. */
  redirects: string[];
  status: number;
  headers: IncomingHttpHeaders;
  /** The address the socket connected to (the one the guard checked). */
  address: string;
  /** Null over plain HTTP. */
  tls: TlsFacts | null;
  /** The body, limited to `maxBytes`. Consume it or call `discard()`. */
  body: Readable;
  /** Body bytes received so far. */
  bytesReceived(): number;
  /** Reads at most `n` body bytes, then closes the connection. */
  readPrefix(n: number): Promise<Buffer>;
  /** Closes the connection without reading the body. */
  discard(): void;
}

export type SafeFetch = (url: string, init?: SafeFetchInit) => Promise<SafeResponse>;

export interface SafeFetchOptions {
  guard: AddressGuard;
  /** From the connect to the response headers, per hop. */
  timeoutMs?: number;
  /** Longest silence while the body streams. */
  idleTimeoutMs?: number;
  /** Default body limit when a call gives none. */
  maxBytes?: number;
  /** At most 5: the limit OVH's downloader is assumed to have too. */
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), e.g. a test server's self-signed one. */
  ca?: string | Buffer;
  userAgent?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Why a TLS handshake failed, in words, from OpenSSL's error code. */
function tlsWords(code: string): string {
  if (code === 'CERT_HAS_EXPIRED') return 'its certificate has expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'its certificate is for another host name';
  if (code.includes('SELF_SIGNED') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return 'its certificate is not signed by a trusted authority';
  }
  return `the TLS handshake failed (${code})`;
}

function toFetchError(error: unknown, url: string, host: string): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as NodeJS.ErrnoException;
  if (e.name === 'AbortError' || e.code === 'ABORT_ERR') {
    return new FetchError('aborted', 'The request was cancelled.', url);
  }
  const code = e.code ?? '';
  const failure = failureAt(url, code);
  if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code)) {
    return new FetchError(
      'tls',
      `Could not connect securely to ${host}: ${tlsWords(code)}.`,
      url,
      failure,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new FetchError('connect', `${host} refused the connection.`, url, failure);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new FetchError('connect', `${host} closed the connection unexpectedly.`, url, failure);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new FetchError(
      'connect',
      `${host} cannot be reached from here (${code}).`,
      url,
      failure,
    );
  }
  return new FetchError(
    'protocol',
    `The request to ${host} failed (${code || e.message}).`,
    url,
    failure,
  );
}

/** The installer model's name for a socket error on `url` (unknown codes read as a reset). */
function failureAt(url: string, code: string): DownloadFailure {
  try {
    return downloadFailureFromCode(code || 'ECONNRESET', new URL(url));
  } catch {
    return { kind: 'protocol', detail: code };
  }
}

/** Counts body bytes and fails the stream once more than `limit` arrive. */
class ByteLimiter extends Transform {
  received = 0;
  constructor(
    private readonly limit: number,
    private readonly url: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limit) {
      done(
        new FetchError(
          'too-large',
          `The response is larger than the ${this.limit} bytes the console reads for this check.`,
          this.url,
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const defaultMaxBytes = options.maxBytes ?? 1024 * 1024;
  const maxRedirects = Math.min(options.maxRedirects ?? MAX_REDIRECTS, MAX_REDIRECTS);

  /** One request to one URL, no redirect handling. */
  async function request(
    target: URL,
    init: SafeFetchInit,
    headers: HeaderPair[],
  ): Promise<{ res: IncomingMessage; address: string; destroy: (e?: Error) => void }> {
    const label = init.label ?? 'image host';
    const {
      client,
      host,
      address,
      options: pinned,
    } = await pinnedRequest(options.guard, target, label, options.ca);
    const outgoing: Record<string, string> = {
      'user-agent': options.userAgent ?? 'byoi-console-preflight',
    };
    for (const h of headers) outgoing[h.name.toLowerCase()] = h.value;
    if (init.range) outgoing.range = `bytes=${init.range.start}-${init.range.end}`;
    const requestOptions: https.RequestOptions = {
      ...pinned,
      method: init.method ?? 'GET',
      headers: outgoing,
      signal: init.signal,
    };

    return new Promise((resolve, reject) => {
      const req = client.request(requestOptions);
      const timer = setTimeout(() => {
        req.destroy(
          new FetchError(
            'timeout',
            `${host} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
            target.href,
            { kind: 'timeout' },
          ),
        );
      }, timeoutMs);
      req.setTimeout(idleTimeoutMs, () => {
        req.destroy(
          new FetchError(
            'timeout',
            `${host} stopped sending data for ${Math.round(idleTimeoutMs / 1000)} s.`,
            target.href,
            { kind: 'timeout' },
          ),
        );
      });
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(toFetchError(error, target.href, host));
      });
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve({ res, address, destroy: (e) => req.destroy(e) });
      });
      req.end();
    });
  }

  return async function safeFetch(url, init = {}) {
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      throw new FetchError('protocol', `"${url}" is not a valid URL.`, url);
    }
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new FetchError('protocol', 'Only http:// and https:// URLs can be fetched.', url);
    }
    const origin = current.origin;
    const redirects: string[] = [];
    let method = init.method ?? 'GET';

    for (;;) {
      // The operator's headers go to the origin they typed, never to one a redirect chose.
      const headers = current.origin === origin ? (init.headers ?? []) : [];
      const { res, address, destroy } = await request(current, { ...init, method }, headers);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;

      if (REDIRECT_STATUSES.has(status) && location !== undefined) {
        destroy();
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new FetchError(
            'bad-redirect',
            `${current.host} redirected to "${location}", which is not a valid URL.`,
            current.href,
          );
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FetchError(
            'bad-redirect',
            `${current.host} redirected to a ${next.protocol} URL; only http:// and https:// can be downloaded.`,
            current.href,
          );
        }
        redirects.push(current.href);
        if (redirects.length > maxRedirects) {
          throw new FetchError(
            'too-many-redirects',
            `More than ${maxRedirects} redirects, starting at ${url}. Give the final URL instead.`,
            url,
            { kind: 'redirects' },
          );
        }
        if (status === 303 && method !== 'HEAD') method = 'GET';
        current = next;
        continue;
      }

      const socket = res.socket as TLSSocket | null;
      const tls =
        current.protocol === 'https:'
          ? {
              authorized: socket?.authorized ?? false,
              protocol: typeof socket?.getProtocol === 'function' ? socket.getProtocol() : null,
            }
          : null;
      const limiter = new ByteLimiter(init.maxBytes ?? defaultMaxBytes, current.href);
      res.on('error', (error) => limiter.destroy(toFetchError(error, current.href, current.host)));
      res.on('aborted', () =>
        limiter.destroy(
          new FetchError(
            'connect',
            `${current.host} closed the connection mid-body.`,
            current.href,
            { kind: 'closed' },
          ),
        ),
      );
      limiter.on('error', () => destroy());
      res.pipe(limiter);
      const finalURL = current.href;

      return {
        url: finalURL,
        redirects,
        status,
        headers: res.headers,
        address,
        tls,
        body: limiter,
        bytesReceived: () => limiter.received,
        discard: () => {
          destroy();
          limiter.destroy();
        },
        readPrefix: (n) => readPrefix(limiter, n, () => destroy()),
      };
    }
  };
}

/** Collects up to `n` bytes from `body`, then closes the connection (the rest is never read). */
async function readPrefix(body: Readable, n: number, close: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const need = n - size;
      chunks.push(chunk.length > need ? chunk.subarray(0, need) : chunk);
      size += Math.min(chunk.length, need);
      if (size >= n) break;
    }
  } finally {
    close();
    body.destroy();
  }
  return Buffer.concat(chunks, size);
}
