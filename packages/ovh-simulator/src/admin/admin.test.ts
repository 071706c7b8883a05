/** The `/_sim` admin API over HTTP (what e2e tests and demos use), and its effect on the OVH API. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  client,
  installRequest,
  plainCall,
  rawCall,
  rejection,
  startTrusted,
  waitForTask,
} from '../../test/helpers.ts';
import type { OvhClient, TaskBody } from '../../test/helpers.ts';
import { DEFAULT_SERVER, LEGACY_SERVER } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';

let sim: Simulator;
let c: OvhClient;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ sim, close } = await startTrusted({ clockSpeed: 1000 }));
  c = client(sim);
});
afterAll(() => close());
beforeEach(async () => {
  expect((await plainCall(sim, 'POST', '/_sim/reset')).status).toBe(200);
});

const server = (sn: string) =>
  c.requestPromised('GET', `/dedicated/server/${sn}`) as Promise<{ os: string; state: string }>;

describe('/_sim/requests', () => {
  it('records install requests with their route and raw body, and counts OVH calls', async () => {
    const start = installRequest('install-start', {
      imageURL: 'http://127.0.0.1:9/images/a.img',
      imageType: 'raw',
      httpHeaders: { Authorization: 'Bearer recorded-as-sent' },
    });
    const reinstall = { operatingSystem: 'debian12_64' };
    const first = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      start.body,
    )) as TaskBody;
    await waitForTask(c, DEFAULT_SERVER, first.taskId);
    await c.requestPromised('POST', `/dedicated/server/${LEGACY_SERVER}/reinstall`, reinstall);
    // A refused body is recorded too: it was received.
    await rejection(
      c.requestPromised('POST', `/dedicated/server/${LEGACY_SERVER}/reinstall`, {
        operatingSystem: 'nope_64',
      }),
    );

    const answer = await plainCall(sim, 'GET', '/_sim/requests');
    expect(answer.status).toBe(200);
    const body = answer.body as {
      installs: Array<{ route: string; serviceName: string; body: unknown; receivedAt: string }>;
      calls: Record<string, number>;
    };
    expect(
      body.installs.map(({ route, serviceName, body: b }) => ({ route, serviceName, body: b })),
    ).toEqual([
      { route: 'install-start', serviceName: DEFAULT_SERVER, body: start.body },
      { route: 'reinstall', serviceName: LEGACY_SERVER, body: reinstall },
      { route: 'reinstall', serviceName: LEGACY_SERVER, body: { operatingSystem: 'nope_64' } },
    ]);
    expect(Number.isNaN(Date.parse(body.installs[0]?.receivedAt ?? ''))).toBe(false);
    expect(body.calls[`POST /dedicated/server/${LEGACY_SERVER}/reinstall`]).toBe(2);
    expect((await plainCall(sim, 'GET', '/_sim/calls')).body).toEqual(body.calls);
  });
});

describe('the peak of installs running at once', () => {
  it('counts installs running together, not one after the other, and resets to 0', async () => {
    const peak = async () =>
      ((await plainCall(sim, 'GET', '/_sim/requests')).body as { peakRunningInstalls: number })
        .peakRunningInstalls;
    sim.admin.setClockSpeed(1);
    const reinstall = { operatingSystem: 'debian12_64' };
    for (const sn of [DEFAULT_SERVER, LEGACY_SERVER]) {
      await c.requestPromised('POST', `/dedicated/server/${sn}/reinstall`, reinstall);
    }
    expect(await peak()).toBe(2);
    expect(sim.admin.peakRunningInstalls()).toBe(2);
    expect((await plainCall(sim, 'POST', '/_sim/reset')).status).toBe(200);
    expect(await peak()).toBe(0);

    sim.admin.setClockSpeed(1000);
    const first = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/reinstall`,
      reinstall,
    )) as TaskBody;
    await waitForTask(c, DEFAULT_SERVER, first.taskId);
    await c.requestPromised('POST', `/dedicated/server/${LEGACY_SERVER}/reinstall`, reinstall);
    expect(await peak()).toBe(1);
  });
});

describe('/_sim/reset', () => {
  it('returns servers, tasks, recorded requests, faults and states to the start', async () => {
    const task = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      {
        templateName: 'proxmox8_64',
      },
    )) as TaskBody;
    await waitForTask(c, DEFAULT_SERVER, task.taskId);
    await plainCall(sim, 'POST', `/_sim/servers/${LEGACY_SERVER}/state`, { state: 'hacked' });
    await plainCall(sim, 'POST', '/_sim/faults', { path: '/nothing', status: 500 });
    expect((await server(DEFAULT_SERVER)).os).toBe('proxmox8_64');

    expect((await plainCall(sim, 'POST', '/_sim/reset')).body).toEqual({ ok: true });
    expect((await server(DEFAULT_SERVER)).os).not.toBe('proxmox8_64');
    expect((await server(LEGACY_SERVER)).state).toBe('ok');
    expect(await c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/task`)).toEqual([]);
    expect(
      await rejection(
        c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/install/status`),
      ),
    ).toMatchObject({ error: 404 });
    expect((await plainCall(sim, 'GET', '/_sim/faults')).body).toEqual([]);
    expect((await plainCall(sim, 'GET', '/_sim/requests')).body).toMatchObject({ installs: [] });
    expect((await plainCall(sim, 'GET', `/_sim/servers/${DEFAULT_SERVER}`)).body).toMatchObject({
      os: expect.not.stringMatching(/^proxmox8_64$/) as string,
      disk: null,
    });
    expect((await plainCall(sim, 'GET', '/_sim/servers/ns0.example')).status).toBe(404);
  });

  it('stops a running install', async () => {
    sim.admin.setClockSpeed(0.001);
    const task = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      {
        templateName: 'debian12_64',
      },
    )) as TaskBody;
    await plainCall(sim, 'POST', '/_sim/reset');
    expect(
      await rejection(
        c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/task/${task.taskId}`),
      ),
    ).toMatchObject({ error: 404 });
  });
});

describe('/_sim/faults', () => {
  it('answers a 5xx for N matching calls, then lets calls through', async () => {
    const created = await plainCall(sim, 'POST', '/_sim/faults', {
      method: 'get',
      path: '/dedicated/server/*',
      status: 503,
      times: 2,
    });
    expect(created).toMatchObject({
      status: 201,
      body: { id: expect.any(Number) as number, method: 'GET', status: 503, times: 2, hits: 0 },
    });
    for (let i = 0; i < 2; i++) {
      expect(await rejection(server(DEFAULT_SERVER))).toEqual({
        error: 503,
        message: 'Service Unavailable (injected fault)',
      });
    }
    // Other paths and methods are not affected.
    expect(await c.requestPromised('GET', '/dedicated/server')).toContain(DEFAULT_SERVER);
    expect((await server(DEFAULT_SERVER)).os).toEqual(expect.any(String));
    expect((await plainCall(sim, 'GET', '/_sim/faults')).body).toEqual([]);
  });

  it('adds latency', async () => {
    await plainCall(sim, 'POST', '/_sim/faults', {
      path: '/dedicated/server',
      latencyMs: 300,
      times: 1,
    });
    let started = Date.now();
    await c.requestPromised('GET', '/dedicated/server');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    await c.requestPromised('GET', '/dedicated/server');
    expect(Date.now() - started).toBeLessThan(290);
  });

  it('drops the connection, until cleared', async () => {
    await plainCall(sim, 'POST', '/_sim/faults', {
      path: '/dedicated/server/*/install/*',
      drop: true,
    });
    const payload = { templateName: 'debian12_64' };
    for (let i = 0; i < 2; i++) {
      const failure = await rejection(
        c.requestPromised('POST', `/dedicated/server/${DEFAULT_SERVER}/install/start`, payload),
      );
      expect(
        String(failure.error instanceof Error ? failure.error.message : failure.error),
      ).toMatch(/socket hang up|ECONNRESET/);
    }
    expect((await plainCall(sim, 'GET', '/_sim/faults')).body).toMatchObject([
      { drop: true, hits: 2 },
    ]);
    // Nothing was installed: the dropped calls never reached the engine.
    expect(await c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/task`)).toEqual([]);
    expect((await plainCall(sim, 'DELETE', '/_sim/faults')).status).toBe(200);
    expect(
      await c.requestPromised('POST', `/dedicated/server/${DEFAULT_SERVER}/install/start`, payload),
    ).toMatchObject({ status: 'init' });
  });

  it('refuses a malformed fault with a sentence saying what is wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [{ status: 503 }, 'fault.path must be a glob starting with "/"'],
      [{ path: '/x' }, 'A fault needs at least one effect'],
      [{ path: '/x', status: 200 }, 'fault.status must be an HTTP error status'],
      [{ path: '/x', drop: true, times: 0 }, 'fault.times must be a whole number ≥ 1'],
      [{ path: '/x', latencyMs: -1 }, 'fault.latencyMs must be a number of milliseconds ≥ 0'],
    ];
    for (const [body, message] of cases) {
      const answer = await plainCall(sim, 'POST', '/_sim/faults', body);
      expect(answer.status).toBe(400);
      expect((answer.body as { error: string }).error).toContain(message);
    }
    expect((await plainCall(sim, 'GET', '/_sim/faults')).body).toEqual([]);
  });
});

describe('/_sim/servers/:serviceName/state', () => {
  it('sets a server’s OVH state', async () => {
    for (const state of ['error', 'hacked', 'hackedBlocked', 'ok']) {
      const answer = await plainCall(sim, 'POST', `/_sim/servers/${LEGACY_SERVER}/state`, {
        state,
      });
      expect(answer).toMatchObject({ status: 200, body: { ok: true } });
      expect((await server(LEGACY_SERVER)).state).toBe(state);
    }
  });

  it('refuses an unknown state (400) or server (404) and changes nothing', async () => {
    const bad = await plainCall(sim, 'POST', `/_sim/servers/${LEGACY_SERVER}/state`, {
      state: 'broken',
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toBe(
      'state must be one of ok, error, hacked, hackedBlocked (got broken).',
    );
    const missing = await plainCall(sim, 'POST', '/_sim/servers/ns0.example/state', {
      state: 'ok',
    });
    expect(missing.status).toBe(404);
    expect((missing.body as { error: string }).error).toContain('No server named ns0.example');
    expect((await server(LEGACY_SERVER)).state).toBe('ok');
  });
});

describe('POST /_sim/servers: a server delivered since the start', () => {
  it('appears in the OVH API at once, as a copy of another under its own name, until a reset', async () => {
    const added = await plainCall(sim, 'POST', '/_sim/servers', {
      name: 'ns9999999.ip-51-91-9.eu',
      displayName: 'new-arrival',
      like: LEGACY_SERVER,
    });
    expect(added).toMatchObject({ status: 201, body: { serviceName: 'ns9999999.ip-51-91-9.eu' } });
    const names = (await c.requestPromised('GET', '/dedicated/server')) as string[];
    expect(names).toContain('ns9999999.ip-51-91-9.eu');
    const detail = (await c.requestPromised(
      'GET',
      '/dedicated/server/ns9999999.ip-51-91-9.eu',
    )) as { name: string; iam: { displayName: string }; datacenter: string };
    expect(detail).toMatchObject({
      name: 'ns9999999.ip-51-91-9.eu',
      iam: { displayName: 'new-arrival' },
    });
    expect(detail.datacenter).toBe(
      ((await server(LEGACY_SERVER)) as unknown as { datacenter: string }).datacenter,
    );
    await plainCall(sim, 'POST', '/_sim/reset');
    expect((await c.requestPromised('GET', '/dedicated/server')) as string[]).not.toContain(
      'ns9999999.ip-51-91-9.eu',
    );
  });

  it('refuses a name that is taken or not a service name, and a model that does not exist', async () => {
    const taken = await plainCall(sim, 'POST', '/_sim/servers', { name: DEFAULT_SERVER });
    expect(taken.status).toBe(400);
    expect((taken.body as { error: string }).error).toContain('already exists');
    const bad = await plainCall(sim, 'POST', '/_sim/servers', { name: 'Not A Name' });
    expect(bad.status).toBe(400);
    const model = await plainCall(sim, 'POST', '/_sim/servers', {
      name: 'ns1.example',
      like: 'ns0.example',
    });
    expect(model.status).toBe(404);
  });
});

describe('/_sim/servers/:serviceName/lock: another operation holds the server', () => {
  it('refuses installs on both routes with 409 DisturbAlreadyExists, until unlocked', async () => {
    expect(
      await plainCall(sim, 'POST', `/_sim/servers/${DEFAULT_SERVER}/lock`, { locked: true }),
    ).toMatchObject({ status: 200, body: { ok: true } });
    expect((await plainCall(sim, 'GET', `/_sim/servers/${DEFAULT_SERVER}`)).body).toMatchObject({
      locked: true,
      expired: false,
    });
    for (const body of [
      { path: 'install/start', body: { templateName: 'debian12_64' } },
      { path: 'reinstall', body: { operatingSystem: 'debian12_64' } },
    ]) {
      const answer = await rawCall(
        sim,
        'POST',
        `/dedicated/server/${DEFAULT_SERVER}/${body.path}`,
        {
          body: body.body,
        },
      );
      expect(answer).toMatchObject({
        status: 409,
        body: {
          class: 'Client::Conflict::DisturbAlreadyExists',
          message: `Server resource ${DEFAULT_SERVER} is already locked by another process, blocking any new OS reinstallation`,
        },
      });
    }
    // No task; reading the server still works; other servers are not locked.
    expect(await c.requestPromised('GET', `/dedicated/server/${DEFAULT_SERVER}/task`)).toEqual([]);
    expect((await server(DEFAULT_SERVER)).os).toEqual(expect.any(String));
    const other = (await c.requestPromised('POST', `/dedicated/server/${LEGACY_SERVER}/reinstall`, {
      operatingSystem: 'debian12_64',
    })) as TaskBody;
    expect(other.status).toBe('init');

    await plainCall(sim, 'POST', `/_sim/servers/${DEFAULT_SERVER}/lock`, { locked: false });
    const task = (await c.requestPromised('POST', `/dedicated/server/${DEFAULT_SERVER}/reinstall`, {
      operatingSystem: 'debian12_64',
    })) as TaskBody;
    expect(task.status).toBe('init');
  });

  it('comes after the body’s own checks: an unknown OS on a locked server is still a 404', async () => {
    sim.admin.setServerLocked(DEFAULT_SERVER, true);
    const answer = await rawCall(sim, 'POST', `/dedicated/server/${DEFAULT_SERVER}/reinstall`, {
      body: { operatingSystem: 'nope_64' },
    });
    expect(answer.status).toBe(404);
  });
});

describe('/_sim/servers/:serviceName/expiration: an expired service', () => {
  it('answers 460 to every call about that server, and nothing else changes', async () => {
    expect(
      await plainCall(sim, 'POST', `/_sim/servers/${DEFAULT_SERVER}/expiration`, {
        expired: true,
      }),
    ).toMatchObject({ status: 200, body: { ok: true } });
    const expired = {
      status: 460,
      body: { class: 'Client::ServiceExpired', message: 'This Service is expired' },
    };
    const base = `/dedicated/server/${DEFAULT_SERVER}`;
    for (const [method, path, body] of [
      ['GET', base, undefined],
      ['GET', `${base}/specifications/hardware`, undefined],
      ['GET', `${base}/install/compatibleTemplates`, undefined],
      ['GET', `${base}/install/status`, undefined],
      ['GET', `${base}/task`, undefined],
      ['GET', `${base}/task/1`, undefined],
      ['POST', `${base}/task/1/cancel`, undefined],
      ['POST', `${base}/reinstall`, { operatingSystem: 'debian12_64' }],
      ['POST', `${base}/install/start`, { templateName: 'debian12_64' }],
    ] as const) {
      expect(await rawCall(sim, method, path, body === undefined ? {} : { body })).toMatchObject(
        expired,
      );
    }
    // node-ovh reports it with its status, as the BFF sees it.
    expect(await rejection(server(DEFAULT_SERVER))).toEqual({
      error: 460,
      message: 'This Service is expired',
    });
    // Still listed; other servers answer.
    expect(await c.requestPromised('GET', '/dedicated/server')).toContain(DEFAULT_SERVER);
    expect((await server(LEGACY_SERVER)).state).toBe('ok');
    expect(sim.admin.server(DEFAULT_SERVER).expired).toBe(true);

    sim.admin.setServiceExpired(DEFAULT_SERVER, false);
    expect((await server(DEFAULT_SERVER)).state).toBe('ok');
  });
});

describe('lock and expiration: input and reset', () => {
  it('refuses a flag that is not a boolean (400) or an unknown server (404)', async () => {
    for (const [path, body, message] of [
      ['lock', { locked: 'yes' }, 'locked must be true or false (got "yes").'],
      ['lock', {}, 'locked must be true or false (got nothing).'],
      ['expiration', { expired: 1 }, 'expired must be true or false (got 1).'],
    ] as const) {
      const answer = await plainCall(sim, 'POST', `/_sim/servers/${DEFAULT_SERVER}/${path}`, body);
      expect(answer).toMatchObject({ status: 400, body: { error: message } });
    }
    expect(
      (await plainCall(sim, 'POST', '/_sim/servers/ns0.example/lock', { locked: true })).status,
    ).toBe(404);
    expect(sim.admin.server(DEFAULT_SERVER)).toMatchObject({ locked: false, expired: false });
  });

  it('are cleared by a reset', async () => {
    sim.admin.setServerLocked(DEFAULT_SERVER, true);
    sim.admin.setServiceExpired(LEGACY_SERVER, true);
    await plainCall(sim, 'POST', '/_sim/reset');
    expect(sim.admin.server(DEFAULT_SERVER).locked).toBe(false);
    expect(sim.admin.server(LEGACY_SERVER).expired).toBe(false);
    expect((await server(LEGACY_SERVER)).state).toBe('ok');
    expect(
      await c.requestPromised('POST', `/dedicated/server/${DEFAULT_SERVER}/reinstall`, {
        operatingSystem: 'debian12_64',
      }),
    ).toMatchObject({ status: 'init' });
  });
});

describe('the admin API itself', () => {
  it('sets the clock speed and refuses a bad one', async () => {
    expect((await plainCall(sim, 'POST', '/_sim/clock', { clockSpeed: 50 })).status).toBe(200);
    const bad = await plainCall(sim, 'POST', '/_sim/clock', { clockSpeed: 0 });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toContain('clockSpeed must be a positive number');
  });

  it('answers unknown routes and methods with a hint', async () => {
    expect(await plainCall(sim, 'GET', '/_sim/nothing')).toMatchObject({
      status: 404,
      body: { error: 'No admin route /_sim/nothing; see the simulator README for /_sim routes.' },
    });
    expect(await plainCall(sim, 'GET', '/_sim/reset')).toMatchObject({
      status: 405,
      body: { error: 'GET is not allowed on /_sim/reset; use POST.' },
    });
  });

  it('creates, validates and revokes consumer keys the real client can use', async () => {
    const created = await plainCall(sim, 'POST', '/_sim/credentials', {
      accessRules: [{ method: 'GET', path: '/dedicated/server' }],
    });
    expect(created).toMatchObject({ status: 201, body: { state: 'pendingValidation' } });
    const { consumerKey } = created.body as { consumerKey: string };
    const limited = client(sim, { consumerKey });
    expect(await rejection(limited.requestPromised('GET', '/dedicated/server'))).toMatchObject({
      error: 403,
    });
    await plainCall(sim, 'POST', `/_sim/credentials/${consumerKey}/validate`);
    expect(await limited.requestPromised('GET', '/dedicated/server')).toContain(DEFAULT_SERVER);
    await plainCall(sim, 'POST', `/_sim/credentials/${consumerKey}/revoke`);
    expect(await rejection(limited.requestPromised('GET', '/dedicated/server'))).toEqual({
      error: 403,
      message: 'This credential is not valid',
    });
  });
});
