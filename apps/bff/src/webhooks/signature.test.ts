import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SECRET_PREFIX,
  newWebhookSecret,
  sign,
  signatureHeader,
  verify,
  type HeaderBag,
} from './signature.ts';

const secret = 'whsec_test-secret-for-signature-tests';
const body =
  '{"id":"evt_1","type":"rollout.done","createdAt":"2026-01-01T00:00:00.000Z","data":{}}';
const now = Date.parse('2026-01-01T00:00:00Z');
const ts = Math.floor(now / 1000);

const headersFor = (signature: string, timestamp: number | string = ts): HeaderBag => ({
  'x-byoi-timestamp': String(timestamp),
  'x-byoi-signature': signature,
});

describe('sign', () => {
  it('is HMAC-SHA256 over "timestamp.body" keyed with the whole secret, in hex', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(sign(secret, ts, body)).toBe(expected);
    expect(signatureHeader([secret], ts, body)).toBe(`v1=${expected}`);
  });
});

describe('verify', () => {
  const good = signatureHeader([secret], ts, body);

  it('accepts a fresh, correct signature', () => {
    expect(verify(secret, headersFor(good), body, { now })).toEqual({ ok: true, timestamp: ts });
  });

  it('reads headers in any case', () => {
    const headers = { 'X-BYOI-Timestamp': String(ts), 'X-BYOI-Signature': good };
    expect(verify(secret, headers, body, { now }).ok).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    const bad = signatureHeader(['whsec_someone-else'], ts, body);
    expect(verify(secret, headersFor(bad), body, { now })).toEqual({
      ok: false,
      reason: 'no-match',
    });
  });

  it('refuses a changed body', () => {
    const changed = body.replace('rollout.done', 'rollout.aborted');
    expect(verify(secret, headersFor(good), changed, { now })).toEqual({
      ok: false,
      reason: 'no-match',
    });
  });

  it('refuses a changed timestamp (the signature covers it)', () => {
    expect(verify(secret, headersFor(good, ts + 1), body, { now })).toEqual({
      ok: false,
      reason: 'no-match',
    });
  });

  it('refuses an old timestamp as a replay, even with a valid signature', () => {
    const old = ts - 301;
    const signature = signatureHeader([secret], old, body);
    expect(verify(secret, headersFor(signature, old), body, { now })).toEqual({
      ok: false,
      reason: 'too-old',
    });
    expect(
      verify(secret, headersFor(signature, old), body, { now, toleranceSeconds: 600 }).ok,
    ).toBe(true);
  });

  it('accepts the edge of the window and refuses a far-future timestamp', () => {
    const edge = ts - 300;
    expect(
      verify(secret, headersFor(signatureHeader([secret], edge, body), edge), body, { now }).ok,
    ).toBe(true);
    const future = ts + 301;
    expect(
      verify(secret, headersFor(signatureHeader([secret], future, body), future), body, { now }),
    ).toEqual({ ok: false, reason: 'too-new' });
  });

  it('accepts any matching v1 value, so a rotation signs with both secrets', () => {
    const next = 'whsec_the-new-one';
    const both = signatureHeader([next, secret], ts, body);
    expect(both.split(' ')).toHaveLength(2);
    expect(verify(secret, headersFor(both), body, { now }).ok).toBe(true);
    expect(verify(next, headersFor(both), body, { now }).ok).toBe(true);
    // Comma-separated, Stripe style, and unknown schemes beside it.
    const hex = sign(secret, ts, body);
    expect(
      verify(secret, headersFor(`v0=abc,v1=${'0'.repeat(64)}, v1=${hex}`), body, { now }).ok,
    ).toBe(true);
  });

  it('names what is missing or malformed', () => {
    expect(verify(secret, { 'x-byoi-signature': good }, body, { now })).toEqual({
      ok: false,
      reason: 'missing-timestamp',
    });
    expect(verify(secret, { 'x-byoi-timestamp': String(ts) }, body, { now })).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    expect(verify(secret, headersFor(good, '12.5'), body, { now })).toEqual({
      ok: false,
      reason: 'bad-timestamp',
    });
    for (const junk of [
      '',
      'v1=',
      'v1=zz',
      `v1=${sign(secret, ts, body).slice(2)}`,
      'sha256=abc',
    ]) {
      expect(verify(secret, headersFor(junk), body, { now })).toEqual({
        ok: false,
        reason: 'no-match',
      });
    }
  });
});

describe('newWebhookSecret', () => {
  it('is 32 random bytes behind the whsec_ prefix, different every time', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a.startsWith(SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(a.slice(SECRET_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
