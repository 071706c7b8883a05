/**
 * Webhook signatures, in the shape Stripe and Standard Webhooks use. Every delivery carries
 *
 *   X-BYOI-Webhook-Id: evt_…            (the event's id, the same on every retry: dedupe on it)
 *   X-BYOI-Timestamp:  1767225600       (Unix seconds when this attempt was signed)
 *   X-BYOI-Signature:  v1=<hex> v1=<hex> (one value per active secret, space-separated)
 *
 * where `<hex>` is HMAC-SHA256, keyed with the whole secret string (`whsec_…`, prefix included, as
 * UTF-8), over `${timestamp}.${body}` — the raw request body, byte for byte, before any JSON parse.
 *
 * A receiver checks, in order:
 *   1. both headers are present and the timestamp is a whole number of seconds;
 *   2. |now − timestamp| ≤ 300 s, refusing older (a replay) and far-future attempts;
 *   3. it computes the HMAC itself and compares it, in constant time, with each `v1=` value;
 *      any match passes. Unknown schemes (`v2=`…) are ignored, so new ones can be added later.
 * `verify` below does exactly this; receivers in other languages repeat the three steps.
 *
 * Several values exist for rotation: while an operator moves to a new secret, the console signs
 * with both, and a receiver that knows either one accepts the delivery.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-BYOI-Timestamp';
export const SIGNATURE_HEADER = 'X-BYOI-Signature';
export const WEBHOOK_ID_HEADER = 'X-BYOI-Webhook-Id';

export const SECRET_PREFIX = 'whsec_';
const SCHEME = 'v1';
const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new signing secret: 32 random bytes, base64url, behind a prefix secret scanners recognise. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `${timestamp}.${body}` under `secret`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The signature header's value: one `v1=` entry per secret, the current secret first. */
export function signatureHeader(
  secrets: readonly string[],
  timestamp: number,
  body: string,
): string {
  return secrets.map((secret) => `${SCHEME}=${sign(secret, timestamp, body)}`).join(' ');
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export interface VerifyOptions {
  /** Milliseconds since the epoch; defaults to `Date.now()`. */
  now?: number;
  toleranceSeconds?: number;
}

export type VerifyFailure =
  'missing-timestamp' | 'missing-signature' | 'bad-timestamp' | 'too-old' | 'too-new' | 'no-match';

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure };

/** Reads a header by name in any case (Node lower-cases, other stacks may not). */
function header(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/** The `v1=` values in a signature header; entries may be separated by spaces or commas. */
function v1Values(signature: string): string[] {
  return signature
    .split(/[\s,]+/)
    .filter((entry) => entry.startsWith(`${SCHEME}=`))
    .map((entry) => entry.slice(SCHEME.length + 1));
}

/**
 * Checks a delivery as a receiver would. `headers` is the request's header object (`req.headers`),
 * `body` the raw body as received. Never throws on bad input: the reason says what was wrong.
 */
export function verify(
  secret: string,
  headers: HeaderBag,
  body: string,
  options: VerifyOptions = {},
): VerifyResult {
  const rawTimestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (rawTimestamp === undefined) return { ok: false, reason: 'missing-timestamp' };
  if (signature === undefined) return { ok: false, reason: 'missing-signature' };
  if (!/^\d{1,12}$/.test(rawTimestamp.trim())) return { ok: false, reason: 'bad-timestamp' };

  const timestamp = Number(rawTimestamp.trim());
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (nowSeconds - timestamp > tolerance) return { ok: false, reason: 'too-old' };
  if (timestamp - nowSeconds > tolerance) return { ok: false, reason: 'too-new' };

  const expected = Buffer.from(sign(secret, timestamp, body), 'hex');
  // Every candidate is compared, so the time taken does not say which one (or whether any) matched.
  let matched = false;
  for (const value of v1Values(signature)) {
    if (!/^[0-9a-f]{64}$/i.test(value)) continue;
    if (timingSafeEqual(expected, Buffer.from(value, 'hex'))) matched = true;
  }
  return matched ? { ok: true, timestamp } : { ok: false, reason: 'no-match' };
}
