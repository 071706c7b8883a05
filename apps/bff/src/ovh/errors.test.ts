import { describe, expect, it } from 'vitest';
import { normaliseOvhError, OvhError, timeoutError } from './errors.ts';

describe('normaliseOvhError', () => {
  it('keeps an HTTP status and OVH message verbatim', () => {
    const e = normaliseOvhError({ error: 400, message: 'Bad format image, expected: qcow2, raw.' });
    expect(e).toBeInstanceOf(OvhError);
    expect(e).toMatchObject({
      status: 400,
      kind: 'http',
      retryable: false,
      message: 'Bad format image, expected: qcow2, raw.',
    });
  });

  it('marks 5xx retryable and fills a message when OVH sent none', () => {
    expect(normaliseOvhError({ error: 503, message: null })).toMatchObject({
      status: 503,
      kind: 'http',
      retryable: true,
      message: 'OVH API answered HTTP 503.',
    });
  });

  it('keeps an OVH error class when one is present', () => {
    expect(
      normaliseOvhError({ error: 404, message: 'x', class: 'Client::NotFound' }).ovhClass,
    ).toBe('Client::NotFound');
  });

  it('turns a negative errno into a retryable network error named by its code', () => {
    expect(normaliseOvhError({ error: -111, message: undefined })).toMatchObject({
      status: 0,
      kind: 'network',
      retryable: true,
      message: 'OVH API unreachable (ECONNREFUSED).',
    });
  });

  it('treats ETIMEDOUT as a timeout', () => {
    expect(normaliseOvhError({ error: -110 })).toMatchObject({ kind: 'timeout', status: 0 });
  });

  it('turns an unknown errno into a network error', () => {
    expect(normaliseOvhError({ error: -99999 })).toMatchObject({ kind: 'network', status: 0 });
  });

  it("turns node-ovh's own strings into network errors without the [OVH] prefix", () => {
    const e = normaliseOvhError({
      error: '[OVH] Unable to fetch OVH API time',
      message: undefined,
    });
    expect(e).toMatchObject({ kind: 'network', status: 0, retryable: true });
    expect(e.message).toBe('OVH API unreachable (Unable to fetch OVH API time).');
  });

  it('turns an Error with a code into a network error', () => {
    const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(normaliseOvhError({ error: socket })).toMatchObject({
      kind: 'network',
      message: 'OVH API unreachable (ECONNRESET: socket hang up).',
    });
  });

  it('turns a bare Error (not wrapped) into a network error', () => {
    expect(normaliseOvhError(new Error('boom'))).toMatchObject({
      kind: 'network',
      message: 'OVH API unreachable (boom).',
    });
  });

  it('handles junk rejections', () => {
    expect(normaliseOvhError(undefined)).toMatchObject({ kind: 'network', status: 0 });
    expect(normaliseOvhError({ error: { weird: true } })).toMatchObject({ kind: 'network' });
  });

  it('passes an OvhError through unchanged', () => {
    const t = timeoutError('GET', '/x', 50);
    expect(normaliseOvhError(t)).toBe(t);
    expect(t).toMatchObject({ kind: 'timeout', retryable: true, status: 0 });
  });
});
