/**
 * Why an image download failed, as a fact both downloaders (the simulator's and the preflight's)
 * produce, and the `<error message>` of OVH's `Could not download image: <error message>` built from
 * it. The wording is curl's, the tool an operator is told to reproduce the download with, so the
 * text can be searched and compared with what `curl -fI <url>` prints.
 */

/** OVH's installer, like curl -L, follows at most this many redirects. */
export const MAX_REDIRECTS = 5;

export type DownloadFailure =
  /** An HTTP answer outside 2xx (after redirects). */
  | { kind: 'status'; status: number }
  | { kind: 'dns'; host: string }
  | { kind: 'refused'; host: string; port: number }
  | { kind: 'unreachable'; host: string; port: number }
  /** The host hung up before answering. */
  | { kind: 'reset' }
  /** The body ended before its announced length. */
  | { kind: 'closed' }
  | { kind: 'timeout' }
  | { kind: 'tls'; reason: string }
  | { kind: 'redirects' }
  | { kind: 'protocol'; detail: string };

/** The `<error message>` part of OVH's download failure. */
export function downloadErrorText(failure: DownloadFailure): string {
  switch (failure.kind) {
    case 'status':
      return `The requested URL returned error: ${failure.status}`;
    case 'dns':
      return `Could not resolve host: ${failure.host}`;
    case 'refused':
      return `Failed to connect to ${failure.host} port ${failure.port}: Connection refused`;
    case 'unreachable':
      return `Failed to connect to ${failure.host} port ${failure.port}: No route to host`;
    case 'reset':
      return 'Recv failure: Connection reset by peer';
    case 'closed':
      return 'transfer closed with outstanding read data remaining';
    case 'timeout':
      return 'Operation timed out';
    case 'tls':
      return `SSL certificate problem: ${failure.reason}`;
    case 'redirects':
      return `Maximum (${MAX_REDIRECTS}) redirects followed`;
    case 'protocol':
      return failure.detail;
  }
}

const TLS_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

/** The URL's host and port, as a connection to it uses them. */
export function hostAndPort(url: URL): { host: string; port: number } {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * The failure a Node.js socket error code means, for a request to `url`. Codes Node gives for the
 * same event differ by where it happened (`ECONNRESET` before an answer, `socket hang up`), so
 * both downloaders read them through here and name one event one way.
 */
export function downloadFailureFromCode(code: string, url: URL): DownloadFailure {
  const { host, port } = hostAndPort(url);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { kind: 'dns', host };
  }
  if (code === 'ECONNREFUSED') return { kind: 'refused', host, port };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { kind: 'unreachable', host, port };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED')
    return { kind: 'reset' };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { kind: 'timeout' };
  const tls = TLS_REASONS[code];
  if (tls !== undefined) return { kind: 'tls', reason: tls };
  if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code)) {
    return { kind: 'tls', reason: code.toLowerCase().replace(/^err_/, '').replace(/_/g, ' ') };
  }
  return { kind: 'protocol', detail: `Failure when receiving data from the peer (${code})` };
}
