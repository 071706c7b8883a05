/**
 * OVH's expanded list pages over HTTPS, with raw signed calls (node-ovh can neither send the
 * X-Pagination-* headers nor read the answer's), every answer checked against OVH's OpenAPI file.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, rawCall, startTrusted, waitForTask } from '../../test/helpers.ts';
import type { RawResponse } from '../../test/helpers.ts';
import { createOpenApiChecker } from '../../test/openapi.ts';
import { DEFAULT_FIXTURES, DEFAULT_SERVER, ERROR_SERVER, LEGACY_SERVER } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';
import { DEDICATED_SERVER_LIST, TASK_LIST } from './lists.ts';
import { compareCodePoints } from './pagination.ts';
import type { FieldKind, ListSchema } from './pagination.ts';

const checker = createOpenApiChecker();
const PAGES = { 'X-Pagination-Mode': 'CachedObjectList-Pages' };
const CURSOR = { 'X-Pagination-Mode': 'CachedObjectList-Cursor' };

interface ServerObject {
  name: string;
  serverId: number;
  datacenter: string;
  state: string;
  os: string;
  iam: { displayName: string | null };
}
interface TaskObject {
  taskId: number;
  status: string;
  function: string;
}

function responseHeaders(res: RawResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** A page call; fails unless OVH's OpenAPI file describes the answer (objects included). */
async function list<T>(sim: Simulator, path: string, headers: Record<string, string>) {
  const res = await rawCall(sim, 'GET', path, { headers });
  const problems = checker.check({
    method: 'GET',
    path: path.split('?')[0] ?? path,
    status: res.status,
    body: res.body,
    headers: responseHeaders(res),
  });
  expect(problems).toEqual([]);
  return { ...res, items: res.body as T[], total: res.headers['x-pagination-elements'] };
}

const servers = (sim: Simulator, headers: Record<string, string>) =>
  list<ServerObject>(sim, '/dedicated/server', { ...PAGES, ...headers });

describe('which fields the lists sort and filter on', () => {
  const spec = JSON.parse(
    readFileSync(new URL('../../test/openapi/baremetal.openapi.json', import.meta.url), 'utf8'),
  ) as { components: { schemas: Record<string, OpenApiSchema> } };
  interface OpenApiSchema {
    type?: string;
    $ref?: string;
    allOf?: OpenApiSchema[];
    enum?: unknown[];
    properties?: Record<string, OpenApiSchema>;
  }
  const resolve = (schema: OpenApiSchema): OpenApiSchema => {
    const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
    if (!ref) return schema;
    return resolve(spec.components.schemas[ref.replace('#/components/schemas/', '')] ?? {});
  };
  const KINDS: Record<string, FieldKind> = {
    string: 'string',
    integer: 'number',
    boolean: 'boolean',
  };
  /** The scalar properties of an OpenAPI object, nested ones by dotted path. */
  const scalars = (schema: OpenApiSchema, prefix = ''): Record<string, FieldKind> => {
    const out: Record<string, FieldKind> = {};
    for (const [name, property] of Object.entries(resolve(schema).properties ?? {})) {
      const target = resolve(property);
      const kind = KINDS[target.type ?? ''];
      if (kind) out[`${prefix}${name}`] = kind;
      else if (target.type === 'object' && target.properties) {
        Object.assign(out, scalars(target, `${prefix}${name}.`));
      }
    }
    return out;
  };

  it.each([
    ['dedicated.server.DedicatedWithIAM', DEDICATED_SERVER_LIST],
    ['dedicated.server.Task', TASK_LIST],
  ] as [string, ListSchema][])(
    'are every scalar field of OVH’s %s, with its type',
    (type, schema) => {
      expect(schema.type).toBe(type);
      const expected = scalars(spec.components.schemas[type] ?? {});
      expect(Object.keys(expected).length).toBeGreaterThan(5);
      expect(schema.fields).toEqual(expected);
      expect(Object.hasOwn(schema.fields, schema.key)).toBe(true);
    },
  );
});

describe('GET /dedicated/server as expanded pages', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  let names: string[];
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ serverCount: 20 }));
  });
  // close() fails when any answer of this file did not match OVH's OpenAPI file.
  afterAll(() => close());
  beforeEach(async () => {
    sim.admin.reset();
    names = (await client(sim).requestPromised('GET', '/dedicated/server')) as string[];
  });

  it('answers the service names, as before, without X-Pagination-Mode', async () => {
    expect(names).toHaveLength(DEFAULT_FIXTURES.length + 20);
    expect(names.slice(0, DEFAULT_FIXTURES.length)).toEqual(DEFAULT_FIXTURES.map((f) => f.name));
    const other = await rawCall(sim, 'GET', '/dedicated/server', {
      headers: { 'X-Pagination-Size': '2', 'X-Pagination-Sort': 'nope' },
    });
    expect(other.status).toBe(200);
    expect(other.body).toEqual(names);
    expect(other.headers['x-pagination-elements']).toBeUndefined();
  });

  it('answers every server object, as GET /dedicated/server/{sn} does, sorted by name', async () => {
    const page = await servers(sim, {});
    expect(page.status).toBe(200);
    expect(page.total).toBe(String(names.length));
    expect(page.items.map((s) => s.name)).toEqual([...names].sort(compareCodePoints));
    const c = client(sim);
    for (const object of page.items) {
      expect(object).toEqual(await c.requestPromised('GET', `/dedicated/server/${object.name}`));
    }
    expect(page.headers['x-ovh-queryid']).toMatch(/^EU\.ext-/);
    expect(page.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('reads the header names in any case, and accepts Pragma: no-cache', async () => {
    const page = await list<ServerObject>(sim, '/dedicated/server', {
      'x-pagination-mode': 'CachedObjectList-Pages',
      'X-PAGINATION-SIZE': '3',
      'x-Pagination-Number': '2',
      'x-pagination-sort': 'serverId',
      'X-Pagination-SORT-ORDER': 'DESC',
      Pragma: 'no-cache',
    });
    expect(page.status).toBe(200);
    const byId = (
      await servers(sim, { 'X-Pagination-Sort': 'serverId', 'X-Pagination-Sort-Order': 'DESC' })
    ).items;
    expect(page.items).toEqual(byId.slice(3, 6));
  });

  it('echoes the pagination headers it was sent, with the total', async () => {
    const sent = {
      'X-Pagination-Size': '4',
      'X-Pagination-Number': '2',
      'X-Pagination-Sort': encodeURIComponent('iam.displayName'),
      'X-Pagination-Sort-Order': 'DESC',
      'X-Pagination-Filter': 'iam.displayName:like=fleet%25',
    };
    const page = await servers(sim, { ...sent, Pragma: 'no-cache' });
    const pagination = Object.fromEntries(
      Object.entries(page.headers).filter(([name]) => name.startsWith('x-pagination-')),
    );
    expect(pagination).toEqual({
      'x-pagination-mode': 'CachedObjectList-Pages',
      'x-pagination-size': '4',
      'x-pagination-number': '2',
      'x-pagination-sort': 'iam.displayName',
      'x-pagination-sort-order': 'DESC',
      'x-pagination-filter': 'iam.displayName:like=fleet%25',
      'x-pagination-elements': '20',
    });
  });

  it('sorts both ways by iam.displayName, serverId, datacenter and state, ties by name', async () => {
    const all = (await servers(sim, {})).items;
    for (const field of ['iam.displayName', 'serverId', 'datacenter', 'state', 'os']) {
      const value = (s: ServerObject): string | number =>
        field === 'iam.displayName'
          ? (s.iam.displayName ?? '')
          : (s[field as keyof ServerObject] as string | number);
      for (const order of ['ASC', 'DESC'] as const) {
        const expected = [...all].sort((a, b) => {
          const [x, y] = [value(a), value(b)];
          const by = typeof x === 'number' ? x - (y as number) : compareCodePoints(x, y as string);
          return (order === 'DESC' ? -by : by) || compareCodePoints(a.name, b.name);
        });
        const page = await servers(sim, {
          'X-Pagination-Sort': field,
          'X-Pagination-Sort-Order': order,
        });
        expect(
          page.items.map((s) => s.name),
          `${field} ${order}`,
        ).toEqual(expected.map((s) => s.name));
      }
    }
    const byName = await servers(sim, { 'X-Pagination-Sort': 'iam.displayName' });
    expect(byName.items.slice(0, 3).map((s) => s.iam.displayName)).toEqual([
      'batch-03',
      'db-legacy',
      'fleet-0001',
    ]);
    const ties = (await servers(sim, { 'X-Pagination-Sort': 'datacenter' })).items.filter(
      (s) => s.datacenter === 'gra3',
    );
    expect(ties.map((s) => s.name)).toEqual(ties.map((s) => s.name).sort(compareCodePoints));
  });

  it('filters with every operator, on a nested field, and combined; the total counts matches', async () => {
    const all = (await servers(sim, {})).items;
    const filtered = async (filter: string) => {
      const page = await servers(sim, { 'X-Pagination-Filter': filter });
      expect(page.total).toBe(String(page.items.length));
      return page.items.map((s) => s.name);
    };
    const where = (test: (s: ServerObject) => boolean) => all.filter(test).map((s) => s.name);

    expect(await filtered(`name:eq=${DEFAULT_SERVER}`)).toEqual([DEFAULT_SERVER]);
    expect(await filtered('state:ne=ok')).toEqual([ERROR_SERVER]);
    expect(await filtered('serverId:lt=3001235')).toEqual([DEFAULT_SERVER, LEGACY_SERVER].sort());
    expect(await filtered('serverId:gt=4100016')).toEqual(where((s) => s.serverId > 4100016));
    expect(await filtered('iam.displayName:like=fleet-000%25')).toEqual(
      where((s) => /^fleet-000/.test(s.iam.displayName ?? '')),
    );
    expect(await filtered('iam.displayName:like=%25-prod-01')).toEqual([DEFAULT_SERVER]);
    expect(await filtered('iam.displayName:like=%25LEGACY')).toEqual([LEGACY_SERVER]);
    expect(await filtered('iam.displayName:like=fleet%25%25')).toHaveLength(20);
    expect(await filtered('iam.displayName:like=tiny%25ram')).toEqual([
      'ns-small-ram.ip-51-91-2.eu',
    ]);
    expect(await filtered('datacenter:in=gra3,sbg5')).toEqual(
      where((s) => s.datacenter === 'gra3' || s.datacenter === 'sbg5'),
    );
    expect(
      await filtered('datacenter:in=gra3,sbg5&os:eq=debian12_64&iam.displayName:like=fleet%25'),
    ).toEqual(
      where(
        (s) =>
          ['gra3', 'sbg5'].includes(s.datacenter) &&
          s.os === 'debian12_64' &&
          (s.iam.displayName ?? '').startsWith('fleet'),
      ),
    );
    expect(await filtered('monitoring:eq=false')).toEqual([]);
    // The Control Panel's way to write "contains": each value URL-encoded, `%` as `%25`.
    expect(await filtered(`iam.displayName:like=%25${encodeURIComponent('web-prod')}%25`)).toEqual([
      DEFAULT_SERVER,
    ]);
  });

  it('answers the server’s current state, not the fixture’s', async () => {
    sim.admin.setServerState(DEFAULT_SERVER, 'hacked');
    const page = await servers(sim, { 'X-Pagination-Filter': 'state:eq=hacked' });
    expect(page.items.map((s) => [s.name, s.state])).toEqual([[DEFAULT_SERVER, 'hacked']]);
  });

  it('lists expired services too, as the names list does', async () => {
    sim.admin.setServiceExpired(LEGACY_SERVER, true);
    const page = await servers(sim, { 'X-Pagination-Filter': `name:eq=${LEGACY_SERVER}` });
    expect(page.items.map((s) => s.name)).toEqual([LEGACY_SERVER]);
  });

  it('cuts pages: the first, the last, past the end, size 1 and size 5000', async () => {
    const sorted = [...names].sort(compareCodePoints);
    const at = async (size: number, number: number) =>
      (
        await servers(sim, {
          'X-Pagination-Size': String(size),
          'X-Pagination-Number': String(number),
        })
      ).items.map((s) => s.name);
    expect(await at(10, 1)).toEqual(sorted.slice(0, 10));
    expect(await at(10, 3)).toEqual(sorted.slice(20, 26));
    expect(await at(10, 4)).toEqual([]);
    const past = await servers(sim, { 'X-Pagination-Number': '2' });
    expect(past.body).toEqual([]);
    expect(past.total).toBe(String(names.length));
    expect(await at(1, 1)).toEqual(sorted.slice(0, 1));
    expect(await at(1, 26)).toEqual(sorted.slice(25));
    expect(await at(1, 27)).toEqual([]);
    expect(await at(5000, 1)).toEqual(sorted);
  });

  it('walks the list in cursor mode to the end', async () => {
    const headers = {
      ...CURSOR,
      'X-Pagination-Size': '7',
      'X-Pagination-Sort': 'iam.displayName',
      'X-Pagination-Filter': 'state:eq=ok',
    };
    const seen: string[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const page = await list<ServerObject>(sim, '/dedicated/server', {
        ...headers,
        ...(cursor ? { 'X-Pagination-Cursor': cursor } : {}),
      });
      calls += 1;
      expect(page.total).toBe(String(names.length - 1));
      expect(page.headers['x-pagination-cursor']).toBe(cursor);
      seen.push(...page.items.map((s) => s.name));
      const next = page.headers['x-pagination-cursor-next'];
      cursor = typeof next === 'string' ? next : undefined;
    } while (cursor !== undefined && calls < 10);
    expect(calls).toBe(4);
    const expected = (
      await servers(sim, {
        'X-Pagination-Sort': 'iam.displayName',
        'X-Pagination-Filter': 'state:eq=ok',
      })
    ).items.map((s) => s.name);
    expect(seen).toEqual(expected);
  });

  it('counts one call per page in /_sim/calls', async () => {
    sim.admin.reset();
    for (const number of ['1', '2', '3']) {
      await servers(sim, { 'X-Pagination-Size': '10', 'X-Pagination-Number': number });
    }
    expect(sim.admin.calls()).toEqual({ 'GET /dedicated/server': 3 });
  });

  it('authenticates as before: the headers are not signed, and a bad signature is refused first', async () => {
    // rawCall signs method, URL, body and timestamp only: the page answers.
    expect((await servers(sim, { 'X-Pagination-Size': '1' })).status).toBe(200);
    const tampered = await rawCall(sim, 'GET', '/dedicated/server', {
      signedBody: 'tampered',
      headers: { ...PAGES, 'X-Pagination-Size': '0' },
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body).toMatchObject({ errorCode: 'INVALID_SIGNATURE' });
    const unsigned = await rawCall(sim, 'GET', '/dedicated/server', {
      sign: false,
      headers: PAGES,
    });
    expect(unsigned.status).toBe(401);
  });

  describe('refuses bad headers with OVH’s 400, and nothing else happens', () => {
    const refusals: [string, Record<string, string>, string][] = [
      [
        'mode',
        { 'X-Pagination-Mode': 'Pages' },
        'Invalid X-Pagination-Mode header: "Pages" is not a pagination mode; use CachedObjectList-Pages or CachedObjectList-Cursor',
      ],
      [
        'size 0',
        { ...PAGES, 'X-Pagination-Size': '0' },
        'Invalid X-Pagination-Size header: "0" is not a page size; use a whole number from 1 to 5000',
      ],
      [
        'size 5001',
        { ...PAGES, 'X-Pagination-Size': '5001' },
        'Invalid X-Pagination-Size header: "5001" is not a page size',
      ],
      [
        'size 1.5',
        { ...PAGES, 'X-Pagination-Size': '1.5' },
        'Invalid X-Pagination-Size header: "1.5" is not a page size',
      ],
      [
        'page 0',
        { ...PAGES, 'X-Pagination-Number': '0' },
        'Invalid X-Pagination-Number header: "0" is not a page number; use a whole number from 1 (the first page)',
      ],
      [
        'sort field',
        { ...PAGES, 'X-Pagination-Sort': 'displayName' },
        'Invalid X-Pagination-Sort header: "displayName" is not a field of dedicated.server.DedicatedWithIAM to sort by; use one of availabilityZone, bootId, bootScript,',
      ],
      [
        'sort on a map',
        { ...PAGES, 'X-Pagination-Sort': 'iam.tags' },
        '"iam.tags" is not a field of dedicated.server.DedicatedWithIAM',
      ],
      [
        'sort order',
        { ...PAGES, 'X-Pagination-Sort-Order': 'desc' },
        'Invalid X-Pagination-Sort-Order header: "desc" is not a sort order; use ASC or DESC',
      ],
      [
        'filter shape',
        { ...PAGES, 'X-Pagination-Filter': 'state=ok' },
        'Invalid X-Pagination-Filter header: "state=ok" does not read as field:operator=value; write each filter as field:operator=value, joined by &',
      ],
      [
        'filter encoding',
        { ...PAGES, 'X-Pagination-Filter': 'name:like=%ns%' },
        'has a value that is not URL-encoded (a % is sent as %25)',
      ],
      [
        'filter field',
        { ...PAGES, 'X-Pagination-Filter': 'colour:eq=red' },
        'Invalid X-Pagination-Filter header: "colour:eq=red": "colour" is not a field of dedicated.server.DedicatedWithIAM to filter on; use one of',
      ],
      [
        'filter operator',
        { ...PAGES, 'X-Pagination-Filter': 'state:is=ok' },
        'Invalid X-Pagination-Filter header: "state:is=ok": "is" is not an operator; use eq, ne, lt, gt, like, in',
      ],
      [
        'filter value',
        { ...PAGES, 'X-Pagination-Filter': 'serverId:gt=many' },
        'Invalid X-Pagination-Filter header: "serverId:gt=many": serverId is a number, "many" is not one',
      ],
      [
        'cursor',
        { ...CURSOR, 'X-Pagination-Cursor': 'bm9wZQ' },
        'Invalid X-Pagination-Cursor header: "bm9wZQ" is not a cursor this list gave',
      ],
    ];

    it.each(refusals)('%s', async (_, headers, message) => {
      sim.admin.reset();
      const before = { requests: sim.admin.requests(), server: sim.admin.server(DEFAULT_SERVER) };
      const res = await rawCall(sim, 'GET', '/dedicated/server', { headers });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ class: 'Client::BadRequest', message: expect.any(String) });
      expect((res.body as { message: string }).message).toContain(message);
      expect(res.headers['x-ovh-queryid']).toMatch(/^EU\.ext-/);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-pagination'))).toEqual([]);
      expect(
        checker.check({ method: 'GET', path: '/dedicated/server', status: 400, body: res.body }),
      ).toEqual([]);
      expect(sim.admin.requests()).toEqual(before.requests);
      expect(sim.admin.server(DEFAULT_SERVER)).toEqual(before.server);
      expect(sim.admin.calls()).toEqual({ 'GET /dedicated/server': 1 });
      // The same call with good headers still answers.
      expect((await servers(sim, { 'X-Pagination-Size': '1' })).status).toBe(200);
    });
  });
});

describe('GET /dedicated/server/{sn}/task as expanded pages', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  const base = `/dedicated/server/${DEFAULT_SERVER}/task`;
  const tasks = (headers: Record<string, string>, query = '') =>
    list<TaskObject>(sim, `${base}${query}`, { ...PAGES, ...headers });
  let ids: number[];
  let cancelled: number;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ clockSpeed: 1000 }));
    const c = client(sim);
    // Three installs that end `done` and one cancelled: tasks of two statuses.
    for (let i = 0; i < 3; i += 1) {
      const task = (await c.requestPromised(
        'POST',
        `/dedicated/server/${DEFAULT_SERVER}/install/start`,
        {
          templateName: 'debian12_64',
        },
      )) as { taskId: number };
      await waitForTask(c, DEFAULT_SERVER, task.taskId);
    }
    const last = (await c.requestPromised(
      'POST',
      `/dedicated/server/${DEFAULT_SERVER}/install/start`,
      {
        templateName: 'debian12_64',
      },
    )) as { taskId: number };
    await c.requestPromised('POST', `${base}/${last.taskId}/cancel`);
    await waitForTask(c, DEFAULT_SERVER, last.taskId);
    cancelled = last.taskId;
    ids = (await c.requestPromised('GET', base)) as number[];
  });
  afterAll(() => close());

  it('answers the task ids, as before, without X-Pagination-Mode', () => {
    expect(ids).toHaveLength(4);
    expect(ids).toContain(cancelled);
  });

  it('answers the task objects, as GET …/task/{id} does, by taskId', async () => {
    const page = await tasks({});
    expect(page.total).toBe('4');
    expect(page.items.map((t) => t.taskId)).toEqual([...ids].sort((a, b) => a - b));
    const c = client(sim);
    for (const task of page.items) {
      expect(task).toEqual(await c.requestPromised('GET', `${base}/${task.taskId}`));
    }
  });

  it('sorts, filters and cuts pages', async () => {
    const desc = await tasks({
      'X-Pagination-Sort': 'taskId',
      'X-Pagination-Sort-Order': 'DESC',
      'X-Pagination-Size': '3',
    });
    expect(desc.items.map((t) => t.taskId)).toEqual([...ids].sort((a, b) => b - a).slice(0, 3));
    const second = await tasks({
      'X-Pagination-Sort': 'taskId',
      'X-Pagination-Sort-Order': 'DESC',
      'X-Pagination-Size': '3',
      'X-Pagination-Number': '2',
    });
    expect(second.items.map((t) => t.taskId)).toEqual([Math.min(...ids)]);
    expect(second.total).toBe('4');
    const done = await tasks({ 'X-Pagination-Filter': 'status:eq=done' });
    expect(done.items).toHaveLength(3);
    expect(done.total).toBe('3');
    const byStatus = await tasks({ 'X-Pagination-Sort': 'status' });
    expect(byStatus.items.map((t) => t.status)).toEqual(['cancelled', 'done', 'done', 'done']);
    const started = await tasks({
      'X-Pagination-Sort': 'startDate',
      'X-Pagination-Sort-Order': 'DESC',
    });
    expect(started.items[0]?.taskId).toBe(cancelled);
    expect((await tasks({ 'X-Pagination-Filter': `taskId:in=${ids[0]},${cancelled}` })).total).toBe(
      '2',
    );
  });

  it('applies the function and status query filters before the page', async () => {
    const page = await tasks({ 'X-Pagination-Size': '2' }, '?status=done');
    expect(page.items).toHaveLength(2);
    expect(page.total).toBe('3');
    expect((await tasks({}, '?status=cancelled')).items.map((t) => t.taskId)).toEqual([cancelled]);
    expect((await tasks({}, '?function=reinstallServer&status=todo')).items).toEqual([]);
    const both = await tasks({ 'X-Pagination-Filter': 'status:eq=done' }, '?status=cancelled');
    expect(both.total).toBe('0');
  });

  it('walks the tasks in cursor mode', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let calls = 0; calls < 10; calls += 1) {
      const page = await list<TaskObject>(sim, `${base}?status=done`, {
        ...CURSOR,
        'X-Pagination-Size': '2',
        ...(cursor ? { 'X-Pagination-Cursor': cursor } : {}),
      });
      seen.push(...page.items.map((t) => t.taskId));
      const next = page.headers['x-pagination-cursor-next'];
      cursor = typeof next === 'string' ? next : undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids.filter((id) => id !== cancelled).sort((a, b) => a - b));
  });

  it('refuses bad headers naming dedicated.server.Task’s fields; query and server errors come first', async () => {
    const field = await rawCall(sim, 'GET', base, {
      headers: { ...PAGES, 'X-Pagination-Sort': 'name' },
    });
    expect(field.status).toBe(400);
    expect(field.body).toEqual({
      class: 'Client::BadRequest',
      message:
        'Invalid X-Pagination-Sort header: "name" is not a field of dedicated.server.Task to sort by; use one of comment, doneDate, function, lastUpdate, needSchedule, note, plannedInterventionId, startDate, status, taskId, ticketReference',
    });
    const query = await rawCall(sim, 'GET', `${base}?status=running`, {
      headers: { ...PAGES, 'X-Pagination-Size': '0' },
    });
    expect(query.status).toBe(400);
    expect((query.body as { message: string }).message).toContain(
      'Invalid value for parameter status',
    );
    const unknown = await rawCall(sim, 'GET', '/dedicated/server/ns-none.example/task', {
      headers: { ...PAGES, 'X-Pagination-Size': '0' },
    });
    expect(unknown.status).toBe(404);
    const cursor = await rawCall(sim, 'GET', base, {
      headers: { ...CURSOR, 'X-Pagination-Size': '1' },
    });
    const next = String(cursor.headers['x-pagination-cursor-next']);
    // A cursor of one list is not followed on another query of it.
    const elsewhere = await rawCall(sim, 'GET', `${base}?status=done`, {
      headers: { ...CURSOR, 'X-Pagination-Size': '1', 'X-Pagination-Cursor': next },
    });
    expect(elsewhere.status).toBe(400);
    expect((elsewhere.body as { message: string }).message).toContain(
      'Invalid X-Pagination-Cursor header',
    );
  });
});

describe('paging a generated fleet of 1,000 servers with 50 ms of latency', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  const LATENCY = 50;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ serverCount: 1000, latencyMs: LATENCY }));
  });
  afterAll(() => close());

  it('pages all 1,006 servers by display name, each call delayed and counted once', async () => {
    sim.admin.reset();
    const seen: ServerObject[] = [];
    for (let number = 1; number <= 5; number += 1) {
      const started = performance.now();
      const page = await servers(sim, {
        'X-Pagination-Size': '250',
        'X-Pagination-Number': String(number),
        'X-Pagination-Sort': 'iam.displayName',
      });
      expect(performance.now() - started).toBeGreaterThanOrEqual(LATENCY - 1);
      expect(page.total).toBe('1006');
      seen.push(...page.items);
    }
    expect(seen).toHaveLength(1006);
    expect(new Set(seen.map((s) => s.name)).size).toBe(1006);
    const displayNames = seen.map((s) => s.iam.displayName ?? '');
    expect(displayNames).toEqual([...displayNames].sort(compareCodePoints));
    expect(sim.admin.calls()).toEqual({ 'GET /dedicated/server': 5 });
    const whole = await servers(sim, {
      'X-Pagination-Size': '5000',
      'X-Pagination-Filter': 'datacenter:eq=gra3',
    });
    expect(whole.items.length).toBeGreaterThan(100);
    expect(whole.total).toBe(String(whole.items.length));
  });
});
