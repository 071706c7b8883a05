/**
 * What of a request may enter the audit log: URLs without userinfo and with every query value
 * blanked (keys kept, so "which signed-URL scheme" stays visible), and secrets only as SHA-256.
 */
import { createHash } from 'node:crypto';

export const sha256Hex = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('hex');

export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `(not a URL, sha256 ${sha256Hex(raw)})`;
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  const keys = [...url.searchParams.keys()];
  url.search = '';
  const query = keys.map((k) => `${encodeURIComponent(k)}=`).join('&');
  return `${url.toString()}${query ? `?${query}` : ''}`;
}

/** Punctuation that ends a sentence rather than the URL it follows (OVH's messages end with "."). */
const TRAILING = /[.,;:!?)\]]+$/;

/**
 * Free text (OVH's messages, a predicted failure) with every http(s) URL in it redacted as above:
 * OVH's download failure quotes the image URL, whose query may hold a signature.
 */
export function redactMessage(text: string, maxLength = 1000): string {
  const redacted = text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (match) => {
    const tail = TRAILING.exec(match)?.[0] ?? '';
    return `${redactUrl(match.slice(0, match.length - tail.length))}${tail}`;
  });
  // Control characters would break the one-line entry; the length keeps one entry small.
  // eslint-disable-next-line no-control-regex
  return redacted.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, maxLength);
}
