/**
 * One POST to an operator's webhook URL. The host goes through the preflight's address guard and
 * the socket connects to exactly the address it approved (`pinnedRequest`, as for `safeFetch`: no second DNS
 * answer can differ). Redirects are never followed: the 3xx is returned as the answer. One timer
 * covers the whole exchange; the response body is drained and dropped, at most `MAX_BODY_BYTES`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type https from 'node:https';
import type { AddressGuard } from '../preflight/addressGuard.ts';
import { FetchError } from '../preflight/errors.ts';
import { pinnedRequest } from '../preflight/pinnedRequest.ts';

export interface GuardedPostOptions {
  guard: AddressGuard;
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM), e.g. a test receiver's self-signed one. */
  ca?: string | Buffer;
}

export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
}

/** Sends `body` with `headers`; throws `GuardError` (refused, nothing sent) or `FetchError`. */
export type GuardedPost = (
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
) => Promise<PostAnswer>;

/** A receiver's answer body is not read; draining more than this closes the connection. */
const MAX_BODY_BYTES = 64 * 1024;

/** A socket error in words. Only the host is named: a webhook URL's path may hold a token. */
function socketError(error: unknown, host: string, url: string): FetchError {
  if (error instanceof FetchError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code)) {
    return new FetchError('tls', `Could not connect securely to ${host} (${code}).`, url);
  }
  if (code === 'ECONNREFUSED') {
    return new FetchError('connect', `${host} refused the connection.`, url);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new FetchError('connect', `${host} closed the connection unexpectedly.`, url);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new FetchError('connect', `${host} cannot be reached from here (${code}).`, url);
  }
  return new FetchError('protocol', `The request to ${host} failed (${code || 'no code'}).`, url);
}

/** An absolute http(s) URL: anything else is refused before a request is attempted. */
export function isWebhookUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function createGuardedPost(options: GuardedPostOptions): GuardedPost {
  return async function guardedPost(url, body, headers) {
    if (!isWebhookUrl(url)) {
      throw new FetchError('protocol', 'The webhook URL is not an http:// or https:// URL.', url);
    }
    const target = new URL(url);
    const {
      client,
      host,
      options: pinned,
    } = await pinnedRequest(options.guard, target, 'webhook host', options.ca);
    const payload = Buffer.from(body, 'utf8');
    const requestOptions: https.RequestOptions = {
      ...pinned,
      method: 'POST',
      headers: { ...headers, 'content-length': String(payload.length) },
    };

    return new Promise<PostAnswer>((resolve, reject) => {
      const req = client.request(requestOptions);
      const timer = setTimeout(() => {
        req.destroy(
          new FetchError(
            'timeout',
            `${host} did not answer within ${options.timeoutMs} ms.`,
            target.href,
          ),
        );
      }, options.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(socketError(error, host, target.href));
      });
      req.once('response', (res) => {
        // The timer keeps running while the body drains, so a receiver cannot hold the socket.
        res.once('close', () => clearTimeout(timer));
        let drained = 0;
        res.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > MAX_BODY_BYTES) req.destroy();
        });
        res.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.end(payload);
    });
  };
}
