import { createHash, timingSafeEqual } from 'node:crypto';

export interface SignedParts {
  applicationSecret: string;
  consumerKey: string;
  method: string;
  /** `https://` + host without port + path and query, exactly as the client saw it. */
  url: string;
  body: string;
  timestamp: string;
}

/** OVH's v1 signature: `"$1$" + sha1hex(AS+CK+METHOD+URL+BODY+TIMESTAMP joined by "+")`. */
export function signRequest(parts: SignedParts): string {
  const joined = [
    parts.applicationSecret,
    parts.consumerKey,
    parts.method,
    parts.url,
    parts.body,
    parts.timestamp,
  ].join('+');
  return `$1$${createHash('sha1').update(joined).digest('hex')}`;
}

export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * node-ovh signs `https://<host><path>` with the host it was configured with, never the port;
 * the Host header carries the port (and brackets around IPv6), so both are stripped here.
 */
export function hostForSignature(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end > 0 ? hostHeader.slice(1, end) : hostHeader;
  }
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}
