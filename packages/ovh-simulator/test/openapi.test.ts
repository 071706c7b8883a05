import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, LEGACY_SERVER } from '../src/index.ts';
import type { Simulator } from '../src/index.ts';
import { client, plainCall, rawCall, startTrusted, waitForTask } from './helpers.ts';
import type { TaskBody } from './helpers.ts';
import { createOpenApiChecker } from './openapi.ts';

const checker = createOpenApiChecker();
const task = {
  comment: 'Start bare metal OS installation',
  doneDate: null,
  function: 'reinstallServer',
  lastUpdate: '2026-01-01T00:00:00.000Z',
  needSchedule: false,
  note: null,
  plannedInterventionId: null,
  startDate: '2026-01-01T00:00:00.000Z',
  status: 'init',
  tags: null,
  taskId: 1,
  ticketReference: null,
};
const taskPath = `/dedicated/server/${DEFAULT_SERVER}/task/1`;
const get = (path: string, status: number, body: unknown) =>
  checker.check({ method: 'GET', path, status, body });

describe('the OpenAPI checker', () => {
  it('accepts a dedicated.server.Task with every field', () => {
    expect(get(taskPath, 200, task)).toEqual([]);
  });

  it('refuses a missing field, an extra field, a wrong enum value and a wrong type', () => {
    const { comment: _comment, ...missing } = task;
    expect(get(taskPath, 200, missing).join()).toContain("must have required property 'comment'");
    expect(get(taskPath, 200, { ...task, extra: 1 }).join()).toContain(
      'must NOT have additional properties',
    );
    expect(get(taskPath, 200, { ...task, status: 'running' }).join()).toContain(
      'must be equal to one of the allowed values',
    );
    expect(get(taskPath, 200, { ...task, taskId: '1' }).join()).toContain('must be integer');
    expect(get(taskPath, 200, { ...task, startDate: 'yesterday' }).join()).toContain(
      'must match format "date-time"',
    );
  });

  it('accepts OpenAPI `nullable` fields as null', () => {
    expect(get(taskPath, 200, { ...task, note: null, doneDate: null })).toEqual([]);
    expect(
      get(`/dedicated/server/${DEFAULT_SERVER}/install/status`, 200, {
        elapsedTime: 3,
        progress: [{ comment: 'Downloading image', error: null, status: 'doing' }],
      }),
    ).toEqual([]);
  });

  it('knows error bodies: OVH’s `{ class, message }` and the auth layer’s shape', () => {
    expect(get(taskPath, 404, { class: 'Client::NotFound', message: 'gone' })).toEqual([]);
    expect(get(taskPath, 404, { message: 'gone' })).not.toEqual([]);
    expect(
      get(taskPath, 400, {
        errorCode: 'INVALID_SIGNATURE',
        httpCode: '400 Bad Request',
        message: 'Invalid signature',
      }),
    ).toEqual([]);
    expect(get(taskPath, 400, { errorCode: 'INVALID_SIGNATURE', message: 'x' })).not.toEqual([]);
  });

  it('checks an expanded page (X-Pagination-Elements) against the x-expanded-response type', () => {
    const page = (path: string, body: unknown) =>
      checker.check({
        method: 'GET',
        path,
        status: 200,
        body,
        headers: { 'X-Pagination-Elements': '1' },
      });
    const tasks = `/dedicated/server/${DEFAULT_SERVER}/task`;
    expect(page(tasks, [task])).toEqual([]);
    expect(page(tasks, [])).toEqual([]);
    expect(page(tasks, [1]).join()).toContain('body/0 must be object');
    expect(page(tasks, [{ ...task, status: 'running' }]).join()).toContain(
      'must be equal to one of the allowed values',
    );
    // Without the header the same path answers ids.
    expect(get(tasks, 200, [1])).toEqual([]);
    expect(get(tasks, 200, [task])).not.toEqual([]);
    expect(page('/dedicated/server', ['ns1.example']).join()).toContain('body/0 must be object');
    expect(
      page(`/dedicated/server/${DEFAULT_SERVER}/install/compatibleTemplates`, []).join(),
    ).toContain('OVH answers no expanded pages here');
  });

  it('refuses paths and methods OVH does not describe', () => {
    expect(get('/dedicated/server/x/nonsense', 200, {}).join()).toContain('no such path');
    expect(checker.check({ method: 'PUT', path: taskPath, status: 200, body: null })).not.toEqual(
      [],
    );
  });
});

describe('every simulator answer on every route matches OVH’s OpenAPI file', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  let checked: () => number;
  beforeAll(async () => {
    ({ sim, close, checked } = await startTrusted({ clockSpeed: 1000 }));
  });
  // close() fails when any answer of this file did not conform.
  afterAll(() => close());

  it('answers the read routes, installs through both routes, lists and cancels tasks', async () => {
    const c = client(sim);
    const base = `/dedicated/server/${DEFAULT_SERVER}`;
    const before = checked();
    await c.requestPromised('GET', '/dedicated/server');
    const pages = { 'X-Pagination-Mode': 'CachedObjectList-Pages', 'X-Pagination-Size': '2' };
    expect((await rawCall(sim, 'GET', '/dedicated/server', { headers: pages })).status).toBe(200);
    await c.requestPromised('GET', base);
    await c.requestPromised('GET', `${base}/specifications/hardware`);
    await c.requestPromised('GET', `/dedicated/server/${LEGACY_SERVER}`);
    await c.requestPromised('GET', `${base}/install/compatibleTemplates`);
    await c.requestPromised('GET', '/dedicated/installationTemplate/byoi_64');
    expect((await rawCall(sim, 'GET', `${base}/install/status`)).status).toBe(404);

    const first = (await c.requestPromised('POST', `${base}/install/start`, {
      templateName: 'debian12_64',
    })) as TaskBody;
    await c.requestPromised('GET', `${base}/install/status`);
    await c.requestPromised('GET', `${base}/task`);
    await c.requestPromised('GET', `${base}/task`, { function: 'reinstallServer' });
    expect((await rawCall(sim, 'GET', `${base}/task`, { headers: pages })).body).toHaveLength(1);
    expect((await rawCall(sim, 'GET', `${base}/task?status=running`)).status).toBe(400);
    await c.requestPromised('POST', `${base}/task/${first.taskId}/cancel`);
    await waitForTask(c, DEFAULT_SERVER, first.taskId);

    const second = (await c.requestPromised('POST', `${base}/reinstall`, {
      operatingSystem: 'debian12_64',
    })) as TaskBody;
    expect((await waitForTask(c, DEFAULT_SERVER, second.taskId)).status).toBe('done');
    await c.requestPromised('GET', `${base}/install/status`);

    expect((await rawCall(sim, 'GET', `${base}/task/999`)).status).toBe(404);
    expect((await rawCall(sim, 'GET', '/dedicated/server/nope.example')).status).toBe(404);
    expect((await rawCall(sim, 'DELETE', `${base}/task`)).status).toBe(405);
    expect((await rawCall(sim, 'GET', '/nothing/here')).status).toBe(404);
    expect((await plainCall(sim, 'GET', '/1.0/dedicated/server')).status).toBe(401);
    expect(checked() - before).toBeGreaterThanOrEqual(20);
  });
});
