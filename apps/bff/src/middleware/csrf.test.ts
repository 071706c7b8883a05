import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR } from '../testing/users.ts';

const INSTALL = `/api/servers/${DEFAULT_SERVER}/install`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

/** Past the CSRF guard, an empty form is refused by validation: 400, and OVH never hears of it. */
const PAST_CSRF = 400;

describe('CSRF guard', () => {
  it('lets a same-origin request with the matching token through', async () => {
    const agent = await h.signIn();
    const res = await agent.post(INSTALL).send({});
    expect(res.status).toBe(PAST_CSRF);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a state-changing request without Origin', async () => {
    const agent = await h.signIn();
    const res = await agent.post(INSTALL).unset('Origin').send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_FAILED');
    expect(res.body.error.message).toContain('no Origin header');
    expect(res.body.error.message).toContain('Origin: http://localhost');
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('refuses a cross-origin request', async () => {
    const agent = await h.signIn();
    for (const origin of [
      'https://evil.example',
      'http://localhost:8081',
      'https://localhost',
      'null',
    ]) {
      const res = await agent.post(INSTALL).set('Origin', origin).send({});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('CSRF_FAILED');
      expect(res.body.error.message).toContain('came from another site');
    }
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('refuses a missing or wrong X-CSRF-Token', async () => {
    const agent = await h.signIn();
    const missing = await agent.post(INSTALL).unset('X-CSRF-Token').send({});
    expect(missing.status).toBe(403);
    expect(missing.body.error.message).toContain('security token');
    expect((await agent.post(INSTALL).set('X-CSRF-Token', 'forged').send({})).status).toBe(403);
    expect((await agent.get('/api/session')).status).toBe(200);
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('refuses a token whose cookie is missing (header alone is not enough)', async () => {
    const agent = await h.signIn();
    const login = await h
      .anonymous()
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map(
      (c) => c.split(';')[0] ?? '',
    );
    const sessionOnly = cookies.filter((c) => c.startsWith('byoi_session='));
    const csrf = cookies.find((c) => c.startsWith('byoi_csrf='))?.split('=')[1] ?? '';
    const res = await request(h.app)
      .post(INSTALL)
      .set('Host', 'localhost')
      .set('Origin', 'http://localhost')
      .set('Cookie', sessionOnly.join('; '))
      .set('X-CSRF-Token', csrf)
      .send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_FAILED');
    expect((await agent.get('/api/session')).status).toBe(200);
  });

  it('guards sign-out; sign-in is refused from another origin but allowed without Origin (scripts)', async () => {
    const agent = await h.signIn();
    expect((await agent.delete('/api/session').unset('X-CSRF-Token')).status).toBe(403);
    const body = { username: OPERATOR.username, password: OPERATOR.password };
    const crossSite = await request(h.app)
      .post('/api/session')
      .set('Origin', 'https://evil.example')
      .send(body);
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_FAILED');
    expect(crossSite.headers['set-cookie']).toBeUndefined();
    expect((await request(h.app).post('/api/session').send(body)).status).toBe(200);
  });

  it('accepts the proxy-facing origin only when the proxy is trusted (TRUST_PROXY)', async () => {
    const body = { username: OPERATOR.username, password: OPERATOR.password };
    const headers = {
      Host: 'console.example.com',
      'X-Forwarded-Proto': 'https',
      Origin: 'https://console.example.com',
    };
    const trusting = await h.buildApp({ env: { TRUST_PROXY: 'loopback' } });
    expect((await request(trusting.app).post('/api/session').set(headers).send(body)).status).toBe(
      200,
    );
    const direct = await h.buildApp({ env: { TRUST_PROXY: 'false' } });
    expect((await request(direct.app).post('/api/session').set(headers).send(body)).status).toBe(
      403,
    );
  });

  it('leaves reads alone', async () => {
    const agent = await h.signIn();
    expect((await agent.get('/api/servers').unset('Origin').unset('X-CSRF-Token')).status).toBe(
      200,
    );
  });
});
