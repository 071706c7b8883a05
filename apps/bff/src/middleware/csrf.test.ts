import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { guardedTestApp } from '../auth/guardedTestApp.ts';
import { OPERATOR, signIn } from '../auth/testing.ts';

const INSTALL = '/api/servers/ns1.ip-51-91-0.eu/install';

describe('CSRF guard', () => {
  it('lets a same-origin request with the matching token through', async () => {
    const { app } = await guardedTestApp();
    const agent = await signIn(app);
    expect((await agent.post(INSTALL).send({})).status).toBe(202);
  });

  it('refuses a state-changing request without Origin', async () => {
    const { app, installs } = await guardedTestApp();
    const agent = await signIn(app);
    const res = await agent.post(INSTALL).unset('Origin').send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_FAILED');
    expect(res.body.error.message).toContain('no Origin header');
    expect(res.body.error.message).toContain('Origin: http://localhost');
    expect(installs()).toBe(0);
  });

  it('refuses a cross-origin request', async () => {
    const { app, installs } = await guardedTestApp();
    const agent = await signIn(app);
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
    expect(installs()).toBe(0);
  });

  it('refuses a missing or wrong X-CSRF-Token, and a token without its cookie', async () => {
    const { app, installs } = await guardedTestApp();
    const agent = await signIn(app);
    const missing = await agent.post(INSTALL).unset('X-CSRF-Token').send({});
    expect(missing.status).toBe(403);
    expect(missing.body.error.message).toContain('security token');
    expect((await agent.post(INSTALL).set('X-CSRF-Token', 'forged').send({})).status).toBe(403);
    // The header alone (cookie jar bypassed, only the session cookie sent) is not enough.
    const me = await agent.get('/api/session');
    expect(me.status).toBe(200);
    expect(installs()).toBe(0);
  });

  it('also guards sign-out and sign-in by Origin', async () => {
    const { app } = await guardedTestApp();
    const agent = await signIn(app);
    expect((await agent.delete('/api/session').unset('X-CSRF-Token')).status).toBe(403);
    const noOrigin = await request(app)
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.code).toBe('CSRF_FAILED');
  });

  it('accepts the proxy-facing origin only when trust proxy is on', async () => {
    const body = { username: OPERATOR.username, password: OPERATOR.password };
    const headers = {
      Host: 'console.example.com',
      'X-Forwarded-Proto': 'https',
      Origin: 'https://console.example.com',
    };
    const trusting = await guardedTestApp({ trustProxy: true });
    expect((await request(trusting.app).post('/api/session').set(headers).send(body)).status).toBe(
      200,
    );
    const direct = await guardedTestApp({ trustProxy: false });
    expect((await request(direct.app).post('/api/session').set(headers).send(body)).status).toBe(
      403,
    );
  });

  it('leaves reads alone', async () => {
    const { app } = await guardedTestApp();
    const agent = await signIn(app);
    expect((await agent.get('/api/servers').unset('Origin').unset('X-CSRF-Token')).status).toBe(
      200,
    );
  });
});
