import { authError } from '../http/ovhError.ts';
import type { Credential, CredentialStore } from './credentials.ts';
import { isGranted } from './credentials.ts';
import { hostForSignature, signaturesMatch, signRequest } from './signature.ts';

/** How far a request's `X-Ovh-Timestamp` may be from server time, in seconds. */
export const TIMESTAMP_WINDOW_SECONDS = 180;

export interface SignedRequest {
  method: string;
  /** Path and query as received (`/1.0/dedicated/server?x=y`): part of the signed URL. */
  rawPath: string;
  /** Path relative to `/1.0`, no query: what access rules match against. */
  apiPath: string;
  host: string;
  body: string;
  header(name: string): string | undefined;
}

/**
 * The checks OVH runs before any handler, in OVH's order: application key, timestamp, consumer
 * key, signature, then the key's access rules. Throws the matching OVH error.
 */
export function authenticate(
  request: SignedRequest,
  store: CredentialStore,
  nowSeconds: number,
): Credential {
  const applicationKey = request.header('x-ovh-application');
  if (!applicationKey) throw authError(401, 'NOT_AUTHENTICATED', 'You must login first');
  const application = store.application(applicationKey);
  if (!application) throw authError(403, 'INVALID_KEY', 'Invalid application key');

  const consumerKey = request.header('x-ovh-consumer');
  if (!consumerKey) throw authError(401, 'NOT_CREDENTIAL', 'You must login first');

  const timestampHeader = request.header('x-ovh-timestamp') ?? '';
  const timestamp = /^\d+$/.test(timestampHeader) ? Number(timestampHeader) : Number.NaN;
  if (!Number.isFinite(timestamp) || Math.abs(timestamp - nowSeconds) > TIMESTAMP_WINDOW_SECONDS) {
    throw authError(400, 'QUERY_TIME_OUT', 'Query out of time');
  }

  const credential = store.get(consumerKey);
  if (!credential || credential.applicationKey !== applicationKey) {
    throw authError(403, 'INVALID_CREDENTIAL', 'This credential does not exist');
  }
  if (credential.status !== 'validated') {
    throw authError(403, 'INVALID_CREDENTIAL', 'This credential is not valid');
  }

  const expected = signRequest({
    applicationSecret: application.applicationSecret,
    consumerKey,
    method: request.method,
    url: `https://${hostForSignature(request.host)}${request.rawPath}`,
    body: request.body,
    timestamp: timestampHeader,
  });
  if (!signaturesMatch(expected, request.header('x-ovh-signature') ?? '')) {
    throw authError(400, 'INVALID_SIGNATURE', 'Invalid signature');
  }

  if (!isGranted(credential.rules, request.method, request.apiPath)) {
    throw authError(403, 'NOT_GRANTED_CALL', 'This call has not been granted');
  }
  credential.lastUse = new Date(nowSeconds * 1000).toISOString();
  return credential;
}
