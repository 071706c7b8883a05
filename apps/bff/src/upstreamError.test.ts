import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { OvhError } from './ovh/errors.ts';
import { startHarness, type Harness } from './testing/harness.ts';
import { OPERATOR, type TestAgent } from './testing/users.ts';
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

describe("apiErrorFromOvh: OVH's references", () => {
  const QUERY_ID = 'EU.ext-5.66a1f2c3.12345.8f3e0c1d';
  const traced = (init: Partial<ConstructorParameters<typeof OvhError>[0]>) =>
    new OvhError({
      status: 400,
      kind: 'http',
      retryable: false,
      message: 'Invalid customization format for imageURL of type string: missing',
      ovhClass: 'Client::BadRequest::CustomizationInvalidFormat',
      queryId: QUERY_ID,
      ...init,
    });

  it('puts the class and the query id in the details of every answer OVH gave', () => {
    for (const status of [400, 403, 404, 409, 418, 500, 503]) {
      expect(apiErrorFromOvh(traced({ status })).details, String(status)).toMatchObject({
        ovhClass: 'Client::BadRequest::CustomizationInvalidFormat',
        ovhQueryId: QUERY_ID,
      });
    }
    expect(apiErrorFromOvh(traced({})).toBody().error.details).toMatchObject({
      ovhQueryId: QUERY_ID,
    });
  });

  it('keeps the query id of a timeout or network failure that had one, and adds nothing else', () => {
    for (const kind of ['timeout', 'network'] as const) {
      const a = apiErrorFromOvh(traced({ status: 0, kind, retryable: true, ovhClass: undefined }));
      expect(a.details).toEqual({ ovhQueryId: QUERY_ID });
    }
  });

  it('adds no empty fields when OVH gave no class or id', () => {
    const a = apiErrorFromOvh(traced({ ovhClass: undefined, queryId: undefined }));
    expect(a.details).not.toHaveProperty('ovhClass');
    expect(a.details).not.toHaveProperty('ovhQueryId');
    const slow = apiErrorFromOvh(
      traced({ status: 0, kind: 'timeout', retryable: true, queryId: undefined }),
    );
    expect(slow.details).toBeUndefined();
  });
});

describe("OVH's class and query id reach the operator and the log", () => {
  let h: Harness;
  let operator: TestAgent;
  beforeAll(async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    operator = await h.signIn(OPERATOR);
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.admin.reset());

  const templates = `/dedicated/server/${DEFAULT_SERVER}/install/compatibleTemplates`;
  const OVH_QUERY_ID = /^EU\.ext-\d\.[0-9a-f]{8}\.\d+\.[0-9a-f]{32}$/;
  const logged = (msg: string) =>
    h.logLines
      .map((line) => JSON.parse(line) as { msg?: string; upstream?: Record<string, unknown> })
      .filter((line) => line.msg === msg);

  it('answers a refusal with both in the details, and logs both (never OVH’s message)', async () => {
    h.sim.admin.injectFault({ method: 'GET', path: templates, status: 400, times: 1 });
    const res = await operator.get(`/api/servers/${DEFAULT_SERVER}/templates`);
    expect(res.status).toBe(400);
    const details = (res.body as { error: { details: Record<string, string> } }).error.details;
    expect(details).toMatchObject({ ovhClass: 'Client::BadRequest' });
    expect(details.ovhQueryId).toMatch(OVH_QUERY_ID);

    const lines = logged('OVH refused the call');
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      code: 'UPSTREAM_BAD_REQUEST',
      upstream: {
        status: 400,
        kind: 'http',
        rule: 'GET /dedicated/server/*/install/compatibleTemplates',
        ovhClass: 'Client::BadRequest',
        ovhQueryId: details.ovhQueryId,
      },
    });
    expect(Object.keys(lines.at(-1)?.upstream ?? {}).sort()).toEqual([
      'kind',
      'ovhClass',
      'ovhQueryId',
      'rule',
      'status',
    ]);
    expect(h.logLines.join('\n')).not.toContain(details.ovhMessage);
  });

  it('logs the last attempt’s class and id with an upstream 5xx', async () => {
    h.sim.admin.injectFault({ method: 'GET', path: templates, status: 500 });
    const res = await operator.get(`/api/servers/${DEFAULT_SERVER}/templates`);
    expect(res.status).toBe(502);
    const details = (res.body as { error: { details: Record<string, string> } }).error.details;
    expect(details).toMatchObject({ ovhClass: 'Server::InternalServerError' });
    expect(details.ovhQueryId).toMatch(OVH_QUERY_ID);
    expect(logged('request failed').at(-1)).toMatchObject({
      level: 50,
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: {
        status: 500,
        ovhClass: 'Server::InternalServerError',
        ovhQueryId: details.ovhQueryId,
      },
    });
  });

  it('logs no upstream facts for a failure that did not come from OVH', async () => {
    const before = h.logLines.length;
    const res = await operator.get('/api/no-such-endpoint');
    expect(res.status).toBe(404);
    const lines = h.logLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => 'upstream' in l)).toBe(false);
  });
});
