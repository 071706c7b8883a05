import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { guardedTestApp } from '../auth/guardedTestApp.ts';
import { OPERATOR, signIn, VIEWER } from '../auth/testing.ts';

describe('roles and server patterns', () => {
  it('lets an operator install', async () => {
    const { app, installs } = await guardedTestApp();
    const agent = await signIn(app, OPERATOR);
    expect((await agent.post('/api/servers/ns1.ip-51-91-0.eu/install').send({})).status).toBe(202);
    expect(installs()).toBe(1);
  });

  it('refuses a viewer with a message naming the role to ask for', async () => {
    const { app, installs } = await guardedTestApp();
    const agent = await signIn(app, VIEWER);
    expect((await agent.get('/api/servers')).status).toBe(200);
    const res = await agent.post('/api/servers/ns1.ip-51-91-0.eu/install').send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: {
        code: 'FORBIDDEN',
        message:
          'Your role (viewer) can read servers and progress but cannot install. Ask an administrator for the operator role.',
      },
    });
    expect(installs()).toBe(0);
  });

  it('refuses anonymous requests before any role check', async () => {
    const { app } = await guardedTestApp();
    const res = await request(app).get('/api/servers/ns1.ip-51-91-0.eu');
    expect(res.status).toBe(401);
  });

  it('hides servers outside the patterns: filtered from the list, 404 like a missing server', async () => {
    const { app, installs } = await guardedTestApp({
      users: [{ ...OPERATOR, servers: ['ns?.ip-51-91-0.eu'] }],
    });
    const agent = await signIn(app, OPERATOR);
    expect((await agent.get('/api/servers')).body.items).toEqual([
      'ns1.ip-51-91-0.eu',
      'ns2.ip-51-91-0.eu',
    ]);
    expect((await agent.get('/api/servers/ns1.ip-51-91-0.eu')).status).toBe(200);
    const hidden = await agent.get('/api/servers/ns9.ip-10-0-0.eu');
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect((await agent.post('/api/servers/ns9.ip-10-0-0.eu/install').send({})).status).toBe(404);
    expect(installs()).toBe(0);
  });
});
