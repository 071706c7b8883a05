import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, plainCall, rawCall, rejection, startTrusted } from '../../test/helpers.ts';
import { DEFAULT_SERVER } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';

describe('OVH authentication, through the real node-ovh client', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted());
  });
  afterAll(() => close());

  it('syncs time with GET /auth/time (a bare integer, no signature needed)', async () => {
    const c = client(sim);
    const time = await c.requestPromised('GET', '/auth/time');
    expect(typeof time).toBe('number');
    expect(Math.abs((time as number) - Date.now() / 1000)).toBeLessThan(5);
    const raw = await rawCall(sim, 'GET', '/auth/time', {
      sign: false,
      headers: { 'X-Ovh-Application': '' },
    });
    expect(raw.status).toBe(200);
  });

  it('answers signed GET and POST calls', async () => {
    const c = client(sim);
    expect(await c.requestPromised('GET', '/dedicated/server')).toContain(DEFAULT_SERVER);
    expect(c.apiTimeDiff).not.toBeNull();
    const task = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      {
        templateName: 'debian12_64',
      },
    )) as { function: string };
    expect(task.function).toBe('reinstallServer');
  });

  it('refuses a wrong application secret with 400 INVALID_SIGNATURE', async () => {
    const failure = await rejection(
      client(sim, { appSecret: 'x'.repeat(32) }).requestPromised('GET', '/dedicated/server'),
    );
    expect(failure).toEqual({ error: 400, message: 'Invalid signature' });
    const raw = await rawCall(sim, 'GET', '/dedicated/server', {
      headers: { 'X-Ovh-Signature': '$1$0000' },
    });
    expect(raw.body).toEqual({
      errorCode: 'INVALID_SIGNATURE',
      httpCode: '400 Bad Request',
      message: 'Invalid signature',
    });
  });

  it('refuses a signature made for another path, query or body', async () => {
    expect((await rawCall(sim, 'GET', '/dedicated/server?x=1')).status).toBe(200);
    const otherPath = await rawCall(sim, 'GET', `/dedicated/server/${DEFAULT_SERVER}`, {
      signedPath: '/dedicated/server',
    });
    expect(otherPath.status).toBe(400);
    const otherQuery = await rawCall(sim, 'GET', '/dedicated/server?x=2', {
      signedPath: '/dedicated/server?x=1',
    });
    expect(otherQuery.status).toBe(400);
    const otherBody = await rawCall(
      sim,
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      {
        body: { templateName: 'debian12_64' },
        signedBody: '{}',
      },
    );
    expect(otherBody.status).toBe(400);
  });

  it('refuses an unknown application key with 403 INVALID_KEY', async () => {
    const failure = await rejection(
      client(sim, { appKey: 'unknownappkey123' }).requestPromised('GET', '/dedicated/server'),
    );
    expect(failure).toEqual({ error: 403, message: 'Invalid application key' });
  });

  it('refuses an unknown consumer key with 403 INVALID_CREDENTIAL', async () => {
    const failure = await rejection(
      client(sim, { consumerKey: 'y'.repeat(32) }).requestPromised('GET', '/dedicated/server'),
    );
    expect(failure).toEqual({ error: 403, message: 'This credential does not exist' });
  });

  it('refuses a revoked consumer key, and one not validated yet, with 403 INVALID_CREDENTIAL', async () => {
    const { consumerKey } = sim.admin.createCredential([{ method: 'GET', path: '/*' }]);
    const pending = await rejection(
      client(sim, { consumerKey }).requestPromised('GET', '/dedicated/server'),
    );
    expect(pending).toEqual({ error: 403, message: 'This credential is not valid' });
    sim.admin.validateCredential(consumerKey);
    await expect(
      client(sim, { consumerKey }).requestPromised('GET', '/dedicated/server'),
    ).resolves.toBeInstanceOf(Array);
    sim.admin.revokeCredential(consumerKey);
    const revoked = await rejection(
      client(sim, { consumerKey }).requestPromised('GET', '/dedicated/server'),
    );
    expect(revoked).toEqual({ error: 403, message: 'This credential is not valid' });
  });

  it('refuses a path outside the key’s access rules with 403 NOT_GRANTED_CALL', async () => {
    const { consumerKey } = sim.admin.createCredential(
      [{ method: 'GET', path: '/dedicated/server/*' }],
      { validated: true },
    );
    const c = client(sim, { consumerKey });
    await expect(
      c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}`),
    ).resolves.toMatchObject({ name: DEFAULT_SERVER });
    // `/dedicated/server/*` does not grant `/dedicated/server` itself, nor another method.
    expect(await rejection(c.requestPromised('GET', '/dedicated/server'))).toEqual({
      error: 403,
      message: 'This call has not been granted',
    });
    expect(
      await rejection(
        c.requestPromised('POST', `/dedicated/server/${DEFAULT_SERVER}/install/start`, {
          templateName: 'debian12_64',
        }),
      ),
    ).toEqual({ error: 403, message: 'This call has not been granted' });
  });

  it('creates consumer keys with POST /auth/credential and validates them through the validation URL', async () => {
    const c = client(sim, { consumerKey: undefined });
    const created = (await c.requestPromised('POST', '/auth/credential', {
      accessRules: [{ method: 'GET', path: '/dedicated/*' }],
      redirection: 'https://console.example/done',
    })) as { consumerKey: string; state: string; validationUrl: string };
    expect(created.state).toBe('pendingValidation');
    expect(created.consumerKey).toMatch(/^[A-Za-z0-9]{32}$/);
    const validation = new URL(created.validationUrl);
    const answer = await rawCall(sim, 'GET', '/auth/time', { sign: false });
    expect(answer.status).toBe(200);
    const res = await plainCall(sim, 'POST', validation.pathname);
    expect(res.status).toBe(200);
    await expect(
      client(sim, { consumerKey: created.consumerKey }).requestPromised(
        'GET',
        '/dedicated/installationTemplate',
      ),
    ).resolves.toContain('byoi_64');
  });

  it('refuses POST /auth/credential without valid access rules, saying what is expected', async () => {
    const raw = await rawCall(sim, 'POST', '/auth/credential', {
      sign: false,
      body: { accessRules: [{ method: 'PATCH', path: '/x' }] },
    });
    expect(raw.status).toBe(400);
    expect(raw.body).toMatchObject({
      class: 'Client::BadRequest',
      message: 'accessRules[0].method must be one of GET, POST, PUT, DELETE.',
    });
  });

  it('refuses a timestamp outside the window with 400 QUERY_TIME_OUT', async () => {
    const raw = await rawCall(sim, 'GET', '/dedicated/server', {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect(raw).toMatchObject({
      status: 400,
      body: { errorCode: 'QUERY_TIME_OUT', message: 'Query out of time' },
    });
  });

  it('asks for a login when no consumer key is sent', async () => {
    const raw = await rawCall(sim, 'GET', '/dedicated/server', { sign: false });
    expect(raw).toMatchObject({
      status: 401,
      body: { errorCode: 'NOT_CREDENTIAL', message: 'You must login first' },
    });
  });
});
