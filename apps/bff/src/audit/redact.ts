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
