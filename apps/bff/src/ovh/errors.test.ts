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

  it("takes OVH's class and query id from the traced answer of the same status", () => {
    const answer = { status: 404, ovhClass: 'Client::NotFound', queryId: 'EU.ext-1.66a1f2c3.7.ab' };
    expect(normaliseOvhError({ error: 404, message: 'x' }, answer)).toMatchObject({
      status: 404,
      ovhClass: 'Client::NotFound',
      queryId: 'EU.ext-1.66a1f2c3.7.ab',
    });
  });

  it('takes neither from an answer of another status: they would describe another failure', () => {
    const answer = { status: 200, queryId: 'EU.ext-1.66a1f2c3.7.ab' };
    expect(normaliseOvhError({ error: 404, message: 'x' }, answer)).toMatchObject({
      ovhClass: undefined,
      queryId: undefined,
    });
  });

  it('has neither without a traced answer (node-ovh itself never gives them)', () => {
    expect(
      normaliseOvhError({ error: 400, message: 'x', class: 'Client::BadRequest' }),
    ).toMatchObject({ ovhClass: undefined, queryId: undefined });
  });

  it('keeps the query id of an answer node-ovh could not use, and of a timeout after the headers', () => {
    const answer = { status: 200, queryId: 'EU.ext-2.66a1f2c3.8.cd' };
    expect(
      normaliseOvhError({ error: '[OVH] Unable to parse JSON reponse' }, answer),
    ).toMatchObject({ kind: 'network', queryId: 'EU.ext-2.66a1f2c3.8.cd' });
    expect(timeoutError('GET', '/x', 50, answer)).toMatchObject({
      kind: 'timeout',
      queryId: 'EU.ext-2.66a1f2c3.8.cd',
    });
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

describe('OvhError', () => {
  it("masks the query values of any URL OVH's message quotes, whatever its length", () => {
    const error = new OvhError({
      status: 400,
      message: `Invalid imageURL https://img.example.test/a.raw?token=s3cr3t ${'x'.repeat(2000)}`,
      kind: 'http',
      retryable: false,
    });
    expect(error.message).toContain('https://img.example.test/a.raw?token=');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message.length).toBeGreaterThan(2000);
  });
});
