/**
 * The fleet list through the real app, node-ovh's signer and the real simulator: a page is one
 * upstream call (OVH's expanded list pages), OVH searches and sorts, the total comes from
 * `X-Pagination-Elements`, and the answers are what OVH's own order gives.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURES,
  DEFAULT_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
  type ServerFixture,
} from '@byoi/ovh-simulator';
import type { ServerListResponse, ServerSortField } from '@byoi/shared';
import { startHarness, type Harness } from '../testing/harness.ts';
import { SCOPED_OPERATOR, VIEWER, type TestAgent, type TestUser } from '../testing/users.ts';

let h: Harness;
let viewer: TestAgent;
beforeAll(async () => {
  h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
  viewer = await h.signIn(VIEWER);
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

const LIST = 'GET /dedicated/server';
const listCalls = () => h.sim.admin.calls()[LIST] ?? 0;
const otherCalls = () => Object.keys(h.sim.admin.calls()).filter((k) => k !== LIST);

/** What a sort field reads in a fixture (the simulator serves fixtures as OVH's objects). */
const fieldOf: Record<ServerSortField, (f: ServerFixture) => string> = {
  name: (f) => f.name,
  displayName: (f) => f.displayName,
  datacenter: (f) => f.datacenter,
  state: (f) => f.state,
  os: (f) => f.os,
};

/** OVH's order, written out here independently: by code point, ties by name. */
function ordered(fixtures: readonly ServerFixture[], sort: ServerSortField, desc = false) {
  return [...fixtures]
    .sort((a, b) => {
      const [va, vb] = [fieldOf[sort](a), fieldOf[sort](b)];
      if (va !== vb) return (va < vb ? -1 : 1) * (desc ? -1 : 1);
      return a.name < b.name ? -1 : 1;
    })
    .map((f) => f.name);
}

const list = async (agent: TestAgent, query = '') =>
  (await agent.get(`/api/servers${query}`).expect(200)).body as ServerListResponse;

describe('GET /api/servers: one upstream call per page', () => {
  it('answers the first page sorted by name with the total, in one call to OVH', async () => {
    const body = await list(viewer);
    expect(body).toMatchObject({
      total: DEFAULT_FIXTURES.length,
      page: 1,
      pageSize: 50,
      sort: 'name',
      order: 'asc',
    });
    expect(body.items.map((s) => s.name)).toEqual(ordered(DEFAULT_FIXTURES, 'name'));
    expect(body.items.find((s) => s.name === DEFAULT_SERVER)).toEqual({
      name: DEFAULT_SERVER,
      displayName: 'web-prod-01',
      datacenter: 'gra3',
      state: 'ok',
      os: 'debian12_64',
      ip: '51.91.0.12',
      commercialRange: 'advance-1',
      installing: false,
    });
    expect(listCalls()).toBe(1);
    // No detail, status or name-list call per row.
    expect(otherCalls()).toEqual([]);
  });

  it('pages at OVH: page 2 of 2 is the third and fourth server, still one call', async () => {
    const body = await list(viewer, '?page=2&pageSize=2');
    expect(body.items.map((s) => s.name)).toEqual(ordered(DEFAULT_FIXTURES, 'name').slice(2, 4));
    expect(body.total).toBe(DEFAULT_FIXTURES.length);
    expect(listCalls()).toBe(1);
  });

  it('answers an empty page past the end, with the total', async () => {
    expect(await list(viewer, '?page=99')).toMatchObject({
      items: [],
      total: DEFAULT_FIXTURES.length,
      page: 99,
    });
  });

  it.each([
    ['name', false],
    ['displayName', false],
    ['datacenter', true],
    ['state', false],
    ['os', true],
  ] as const)('sorts by %s (descending: %s) at OVH', async (sort, desc) => {
    const body = await list(viewer, `?sort=${sort}&order=${desc ? 'desc' : 'asc'}&pageSize=3`);
    expect(body.items.map((s) => s.name)).toEqual(
      ordered(DEFAULT_FIXTURES, sort, desc).slice(0, 3),
    );
    expect(body).toMatchObject({ sort, order: desc ? 'desc' : 'asc' });
    expect(listCalls()).toBe(1);
  });
});

describe('GET /api/servers?search=: names and display names, searched by OVH', () => {
  const matching = (needle: string) =>
    DEFAULT_FIXTURES.filter(
      (f) =>
        f.name.toLowerCase().includes(needle.toLowerCase()) ||
        f.displayName.toLowerCase().includes(needle.toLowerCase()),
    );

  it.each([
    ['SMALL', 'service names only'],
    ['tiny', 'display names only'],
    ['ram', 'a name and a display name of the same server'],
    ['web', 'a display name and no name'],
    ['zzz-none', 'nothing'],
  ])('finds "%s" (%s), each server once, in one round trip', async (needle) => {
    const body = await list(viewer, `?search=${needle}&sort=displayName`);
    const expected = matching(needle);
    expect(body.items.map((s) => s.name)).toEqual(ordered(expected, 'displayName'));
    expect(body.total).toBe(expected.length);
    // By name and by display name, asked together.
    expect(listCalls()).toBe(2);
    expect(otherCalls()).toEqual([]);
  });

  it('counts the overlap at OVH when a search finds more servers than it reads at once', async () => {
    const big = await startHarness({ SERVER_CACHE_TTL_MS: '0', SIMULATOR_SERVER_COUNT: '600' });
    try {
      const agent = await big.signIn(VIEWER);
      big.sim.admin.reset();
      // Every service name holds "ip-"; no display name does.
      const body = (await agent.get('/api/servers?search=ip-&page=3&pageSize=50').expect(200))
        .body as ServerListResponse;
      expect(body.total).toBe(606);
      expect(body.items).toHaveLength(50);
      expect(big.sim.admin.calls()['GET /dedicated/server']).toBe(3);
    } finally {
      await big.close();
    }
  });

  it('pages a search like the whole list', async () => {
    const all = ordered(matching('ns'), 'name');
    expect(all.length).toBeGreaterThan(3);
    const second = await list(viewer, '?search=ns&page=2&pageSize=2');
    expect(second.items.map((s) => s.name)).toEqual(all.slice(2, 4));
    expect(second.total).toBe(all.length);
  });
});

describe('a user limited to some servers', () => {
  async function agentFor(servers: string[]): Promise<TestAgent> {
    const user: TestUser = { username: 'lim', password: 'limited-pass-1', role: 'viewer', servers };
    const app = await h.buildApp({ users: [user] });
    return app.signIn(user);
  }

  it('with one `*` pattern: OVH filters the names, still one call', async () => {
    const limited = await agentFor(['ns-small-*']);
    h.sim.admin.reset();
    const body = await list(limited);
    expect(body.items.map((s) => s.name)).toEqual([SMALL_DISK_SERVER, SMALL_RAM_SERVER].sort());
    expect(body.total).toBe(2);
    expect(listCalls()).toBe(1);
  });

  it('with patterns OVH cannot express: the whole fleet read at once, filtered here', async () => {
    const scoped = await h.signIn(SCOPED_OPERATOR);
    h.sim.admin.reset();
    const body = await list(scoped, '?search=ns');
    expect(body.items.map((s) => s.name)).toEqual(
      [DEFAULT_SERVER, SMALL_DISK_SERVER, SMALL_RAM_SERVER].sort(),
    );
    expect(body.total).toBe(3);
    expect(listCalls()).toBe(1);
  });
});

describe('bad list queries', () => {
  it.each([
    ['pageSize=1001', 'pageSize', 'at most 1000'],
    ['pageSize=0', 'pageSize', 'at least 1'],
    ['page=0', 'page', 'starts at 1'],
    ['page=abc', 'page', 'must be a number'],
    ['pageSize=1.5', 'pageSize', 'whole number'],
    ['sort=ip', 'sort', 'sort must be one of name, displayName, datacenter, state, os'],
    ['order=up', 'order', 'order must be asc or desc'],
    ['filter=name', '_query', 'Unknown query parameter'],
  ])(
    'refuses %s with a 400 naming the parameter, and calls nothing',
    async (query, field, text) => {
      const res = await viewer.get(`/api/servers?${query}`).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toContain(text);
      expect(res.body.error.details.fieldErrors[field]?.[0]).toContain(text);
      expect(h.sim.admin.calls()).toEqual({});
    },
  );
});
