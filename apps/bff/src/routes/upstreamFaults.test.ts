/**
 * Upstream faults injected through the simulator's admin API (500s, 503s, latency beyond the
 * client timeout, dropped connections): the BFF answers the right 5xx in its envelope ("OVH API
 * unreachable", never a bare 500), retries reads with backoff, and never retries an install.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
} from '@byoi/ovh-simulator';
import { startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, type TestAgent } from '../testing/users.ts';

const TIMEOUT_MS = 400;
let h: Harness;
let operator: TestAgent;
beforeAll(async () => {
  h = await startHarness({ OVH_TIMEOUT_MS: String(TIMEOUT_MS), SERVER_CACHE_TTL_MS: '0' });
  operator = await h.signIn(OPERATOR);
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

const calls = (key: string) => h.sim.admin.calls()[key] ?? 0;
const detail = (sn: string) => `GET /dedicated/server/${sn}`;
const form = {
  imageURL: 'https://images.example.com/debian.qcow2',
  imageType: 'qcow2',
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
};

describe('reads (GET) are retried', () => {
  it('recovers from one 500 with a retry', async () => {
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${DEFAULT_SERVER}`,
      status: 500,
      times: 1,
    });
    const res = await operator.get(`/api/servers/${DEFAULT_SERVER}`);
    expect(res.status).toBe(200);
    expect(calls(detail(DEFAULT_SERVER))).toBe(2);
  });

  it('recovers from one dropped connection with a retry', async () => {
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${DEFAULT_SERVER}`,
      drop: true,
      times: 1,
    });
    const res = await operator.get(`/api/servers/${DEFAULT_SERVER}`);
    expect(res.status).toBe(200);
    expect(calls(detail(DEFAULT_SERVER))).toBe(2);
  });

  it('answers 502 "OVH API unreachable" after retries when OVH keeps answering 500', async () => {
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${LEGACY_SERVER}`,
      status: 500,
    });
    const res = await operator.get(`/api/servers/${LEGACY_SERVER}`);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.error.message).toContain('OVH API unreachable');
    expect(res.body.error.message).not.toMatch(/at .*\.ts:\d+/);
    expect(calls(detail(LEGACY_SERVER))).toBe(3); // the first try and 2 retries
  });

  it('answers 503 when OVH answers 503', async () => {
    h.sim.admin.injectFault({ method: 'GET', path: '/dedicated/server', status: 503 });
    const res = await operator.get('/api/servers');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.error.message).toContain('OVH API unavailable');
    expect(calls('GET /dedicated/server')).toBe(3);
  });

  it('answers 504 when OVH answers slower than the timeout, after retries', async () => {
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${SMALL_RAM_SERVER}`,
      latencyMs: TIMEOUT_MS * 3,
    });
    const res = await operator.get(`/api/servers/${SMALL_RAM_SERVER}`);
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(res.body.error.message).toContain('OVH API unreachable');
    expect(calls(detail(SMALL_RAM_SERVER))).toBe(3);
  });

  it('answers 502 when every connection is dropped', async () => {
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${SMALL_DISK_SERVER}`,
      drop: true,
    });
    const res = await operator.get(`/api/servers/${SMALL_DISK_SERVER}`);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(calls(detail(SMALL_DISK_SERVER))).toBe(3);
  });

  it('is not ready (503) when /auth/time fails', async () => {
    const app = await h.buildApp();
    h.sim.admin.injectFault({ method: 'GET', path: '/auth/time', status: 500 });
    const res = await app.anonymous().get('/api/ready');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain('OVH API unreachable');
  });
});

describe('OVH refusing the console', () => {
  it('a revoked consumer key → 403 UPSTREAM_FORBIDDEN telling the administrator to renew the token', async () => {
    h.sim.admin.revokeCredential(h.sim.consumerKey);
    const res = await operator.get(`/api/servers/${DEFAULT_SERVER}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('UPSTREAM_FORBIDDEN');
    expect(res.body.error.message).toContain('OVH_CONSUMER_KEY');
    expect(res.body.error.message).toContain('https://eu.api.ovh.com/createToken/');
    expect(res.text).not.toContain(h.sim.consumerKey);
    // A refusal is not retried.
    expect(calls(detail(DEFAULT_SERVER))).toBe(1);
  });
});

describe('the install (POST) is never retried', () => {
  it.each([
    {
      what: 'a 500',
      effect: { status: 500 },
      status: 502,
      code: 'UPSTREAM_UNAVAILABLE',
      sn: DEFAULT_SERVER,
    },
    {
      what: 'a dropped connection',
      effect: { drop: true },
      status: 502,
      code: 'UPSTREAM_UNAVAILABLE',
      sn: LEGACY_SERVER,
    },
    {
      what: 'latency beyond the timeout',
      effect: { latencyMs: TIMEOUT_MS * 3 },
      status: 504,
      code: 'UPSTREAM_TIMEOUT',
      sn: SMALL_DISK_SERVER,
    },
  ])('$what → $status $code, one POST upstream', async ({ effect, status, code, sn }) => {
    h.sim.admin.injectFault({
      method: 'POST',
      path: `/dedicated/server/${sn}/reinstall`,
      ...effect,
    });
    const res = await operator.post(`/api/servers/${sn}/install`).send(form);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(calls(`POST /dedicated/server/${sn}/reinstall`)).toBe(1);
  });

  it('keeps an OVH 400 a 400 with OVH’s words', async () => {
    h.sim.admin.injectFault({
      method: 'POST',
      path: `/dedicated/server/${DEFAULT_SERVER}/reinstall`,
      status: 400,
      times: 1,
    });
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('UPSTREAM_BAD_REQUEST');
    expect(res.body.error.details.ovhMessage).toContain('injected fault');
  });
});

describe('OVH refusals about the server itself', () => {
  it('409 DisturbAlreadyExists (another operation holds the server): a 409 that says to wait', async () => {
    h.sim.admin.setServerLocked(DEFAULT_SERVER, true);
    const res = await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send(form);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'UPSTREAM_CONFLICT',
      details: { ovhClass: 'Client::Conflict::DisturbAlreadyExists' },
    });
    expect(res.body.error.message).toContain(
      'blocking any new OS reinstallation. Wait for that operation to end',
    );
    expect(res.body.error.details.ovhQueryId).toMatch(/^EU\./);
    expect(calls(`POST /dedicated/server/${DEFAULT_SERVER}/reinstall`)).toBe(1);
  });

  it('460 (the service expired): a clear 409, never a 5xx, and no install sent', async () => {
    h.sim.admin.setServiceExpired(LEGACY_SERVER, true);
    const page = await operator.get(`/api/servers/${LEGACY_SERVER}`);
    expect(page.status).toBe(409);
    expect(page.body.error.code).toBe('UPSTREAM_SERVICE_EXPIRED');
    expect(page.body.error.message).toContain('Renew it in the OVHcloud Control Panel');
    const install = await operator.post(`/api/servers/${LEGACY_SERVER}/install`).send(form);
    expect(install.status).toBe(409);
    expect(install.body.error.code).toBe('UPSTREAM_SERVICE_EXPIRED');
    expect(calls(`POST /dedicated/server/${LEGACY_SERVER}/reinstall`)).toBe(0);
  });
});
