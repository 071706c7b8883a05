/**
 * The start of every request the console makes to an address an operator typed (an image, a
 * webhook): the host goes through the address guard, and the socket is handed the address the guard
 * approved, so no second DNS answer can differ (no rebinding). A fresh socket each time: a pooled
 * one could be connected to an earlier address. TLS is verified against the name as written.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressGuard } from './addressGuard.ts';
import { GuardError } from './errors.ts';

export interface PinnedRequest {
  client: typeof http | typeof https;
  /** The host as written, without an IPv6 literal's brackets. */
  host: string;
  /** The address the guard approved, which the socket connects to. */
  address: string;
  /** Host, port, path, the pinned lookup, no agent, and TLS settings; the caller adds the rest. */
  options: https.RequestOptions;
}

function ipIsLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

export async function pinnedRequest(
  guard: AddressGuard,
  target: URL,
  label: string,
  ca?: string | Buffer,
): Promise<PinnedRequest> {
  let checked: { address: string; family: number };
  try {
    checked = await guard.check(target.hostname, label);
  } catch (error) {
    if (error instanceof GuardError && error.url === undefined) {
      throw new GuardError(error.message, error.host, error.address, target.href);
    }
    throw error;
  }
  const { address, family } = checked;
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const lookup: LookupFunction = (_name, opts, callback) => {
    if (opts.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const options: https.RequestOptions = {
    host,
    port: target.port === '' ? undefined : Number(target.port),
    path: `${target.pathname}${target.search}`,
    lookup,
    agent: false,
  };
  const tls = target.protocol === 'https:';
  if (tls) {
    options.servername = ipIsLiteral(host) ? undefined : host;
    options.rejectUnauthorized = true;
    if (ca) options.ca = ca;
  }
  return { client: tls ? https : http, host, address, options };
}
