import { describe, expect, it } from 'vitest';
import { OvhError } from './ovh/errors.ts';
import { apiErrorFromOvh } from './upstreamError.ts';

const http = (status: number, message: string, rule?: string) => {
  const e = new OvhError({ status, message, kind: 'http', retryable: status >= 500 });
  e.rule = rule;
  return e;
};

describe('apiErrorFromOvh', () => {
  it("keeps OVH's 400 message verbatim and appends the catalog remedy", () => {
    const a = apiErrorFromOvh(http(400, 'Bad format image, expected: qcow2, raw.'));
    expect(a.status).toBe(400);
    expect(a.code).toBe('UPSTREAM_BAD_REQUEST');
    expect(a.message.startsWith('Bad format image, expected: qcow2, raw. ')).toBe(true);
    expect(a.message.length).toBeGreaterThan('Bad format image, expected: qcow2, raw. '.length);
    expect(a.details?.ovhMessage).toBe('Bad format image, expected: qcow2, raw.');
  });

  it("turns OVH's TaskAlreadyExists 400 into the console's 409 INSTALL_IN_PROGRESS", () => {
    const message =
      'Task 5200001 of type reinstallServer with status doing is already running on server ns1234567.ip-51-91-0.eu';
    const a = apiErrorFromOvh(http(400, message));
    expect(a).toMatchObject({ status: 409, code: 'INSTALL_IN_PROGRESS' });
    expect(a.message).toContain(message);
    expect(a.message).toContain('Wait for it to finish or cancel it');
  });

  it('keeps an unknown 400 message as it is', () => {
    expect(apiErrorFromOvh(http(400, 'Something new')).message).toBe('Something new');
  });

  it('names the missing access rule on 403', () => {
    const a = apiErrorFromOvh(
      http(403, 'This call has not been granted', 'POST /dedicated/server/*/install/start'),
    );
    expect(a).toMatchObject({ status: 403, code: 'UPSTREAM_FORBIDDEN' });
    expect(a.details?.missingRule).toBe('POST /dedicated/server/*/install/start');
    expect(a.message).toContain('request the access rule POST /dedicated/server/*/install/start');
  });

  it('tells an invalid or revoked token (403) from a missing access rule', () => {
    for (const message of ['This credential is not valid', 'This credential does not exist']) {
      const a = apiErrorFromOvh(http(403, message, 'GET /dedicated/server'));
      expect(a).toMatchObject({ status: 403, code: 'UPSTREAM_FORBIDDEN' });
      expect(a.message).toContain('OVH refused this console');
      expect(a.message).toContain('OVH_CONSUMER_KEY');
      expect(a.details?.missingRule).toBeUndefined();
    }
  });

  it('maps 401 to a credentials problem for the administrator', () => {
    const a = apiErrorFromOvh(http(401, 'Invalid application key'));
    expect(a).toMatchObject({ status: 403, code: 'UPSTREAM_FORBIDDEN' });
    expect(a.message).toContain('OVH_APPLICATION_KEY');
  });

  it('passes 404 and 409 through', () => {
    expect(apiErrorFromOvh(http(404, 'nope'))).toMatchObject({
      status: 404,
      code: 'UPSTREAM_NOT_FOUND',
      message: 'nope',
    });
    expect(apiErrorFromOvh(http(409, 'busy'))).toMatchObject({
      status: 409,
      code: 'UPSTREAM_CONFLICT',
      message: 'busy',
    });
  });

  it('never answers 500 for an upstream failure', () => {
    expect(apiErrorFromOvh(http(500, 'x'))).toMatchObject({
      status: 502,
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(apiErrorFromOvh(http(503, 'x'))).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(apiErrorFromOvh(http(429, 'x')).status).toBe(503);
    expect(apiErrorFromOvh(http(418, 'x')).status).toBe(502);
    const net = apiErrorFromOvh(
      new OvhError({
        status: 0,
        kind: 'network',
        retryable: true,
        message: 'OVH API unreachable (ECONNREFUSED).',
      }),
    );
    expect(net).toMatchObject({ status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect(net.message).toMatch(/^OVH API unreachable/);
    const slow = apiErrorFromOvh(
      new OvhError({ status: 0, kind: 'timeout', retryable: true, message: 't.' }),
    );
    expect(slow).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(slow.message).toMatch(/^OVH API unreachable/);
  });
});
