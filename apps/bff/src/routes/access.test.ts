/**
 * Each role × each endpoint of the real app: anonymous, viewer and operator, allowed or refused,
 * and server-name patterns that hide servers (filtered from the list, 404 like a missing server).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURES,
  DEFAULT_SERVER,
  LEGACY_SERVER,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
} from '@byoi/ovh-simulator';
import type { ServerListResponse } from '@byoi/shared';
import { startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, SCOPED_OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let agents: Record<'anonymous' | 'viewer' | 'operator', TestAgent>;
beforeAll(async () => {
  h = await startHarness();
  agents = {
    anonymous: h.anonymous(),
    viewer: await h.signIn(VIEWER),
    operator: await h.signIn(OPERATOR),
  };
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

const S = `/api/servers/${DEFAULT_SERVER}`;
type Method = 'get' | 'post' | 'delete';
/** [method, path, anonymous, viewer, operator]; "ok" = any answer past the guards (not 401/403). */
const MATRIX: [Method, string, number, number, number | 'ok'][] = [
  ['get', '/api/health', 200, 200, 200],
  ['get', '/api/ready', 200, 200, 200],
  ['get', '/api/meta', 200, 200, 200],
  ['get', '/api/session', 401, 200, 200],
  ['get', '/api/servers', 401, 200, 200],
  ['get', S, 401, 200, 200],
  ['get', `${S}/templates`, 401, 200, 200],
  ['get', `${S}/install`, 401, 200, 200],
  // An empty form: the operator passes the guards and meets validation.
  ['post', `${S}/install`, 401, 403, 400],
  // Nothing was installed: the operator passes the guards and hears there is nothing to cancel.
  ['post', `${S}/install/cancel`, 401, 403, 404],
  ['post', `${S}/preflight`, 401, 403, 'ok'],
  ['post', `${S}/preflight/verify`, 401, 403, 'ok'],
  ['get', '/api/audit', 401, 403, 200],
  ['get', '/api/no-such-endpoint', 401, 404, 404],
  // Closed by default: any future state-changing endpoint needs the operator role.
  ['post', '/api/no-such-endpoint', 401, 403, 404],
];

describe('each role × each endpoint', () => {
  it.each(MATRIX)('%s %s → anonymous %i, viewer %i, operator %s', async (method, path, ...want) => {
    const roles = ['anonymous', 'viewer', 'operator'] as const;
    for (const [i, role] of roles.entries()) {
      const res = await agents[role][method](path).send(method === 'get' ? undefined : {});
      const expected = want[i];
      if (expected === 'ok') {
        expect([401, 403], `${role} ${method} ${path}`).not.toContain(res.status);
      } else {
        expect(res.status, `${role} ${method} ${path}: ${res.text}`).toBe(expected);
      }
      if (res.status === 401) expect(res.body.error.code).toBe('UNAUTHENTICATED');
      if (res.status === 403) {
        expect(res.body.error).toEqual({
          code: 'FORBIDDEN',
          message:
            'Your role (viewer) can read servers and progress but cannot check images, install or cancel installs. Ask an administrator for the operator role.',
        });
      }
    }
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('signs out with 204 for every role, ending every session of that user', async () => {
    for (const [role, user] of [
      ['viewer', VIEWER],
      ['operator', OPERATOR],
    ] as const) {
      const agent = await h.signIn(user);
      expect((await agent.delete('/api/session')).status).toBe(204);
      expect((await agent.get('/api/servers')).status).toBe(401);
      // The user's other session (signed in before) has ended too.
      expect((await agents[role].get('/api/servers')).status).toBe(401);
      agents[role] = await h.signIn(user);
    }
  });
});

describe('server-name patterns', () => {
  let scoped: TestAgent;
  beforeAll(async () => {
    scoped = await h.signIn(SCOPED_OPERATOR);
  });

  it('filter the list to the servers the user may see', async () => {
    const res = await scoped.get('/api/servers');
    expect(res.status).toBe(200);
    const body = res.body as ServerListResponse;
    const visible = [DEFAULT_SERVER, SMALL_DISK_SERVER, SMALL_RAM_SERVER].sort((a, b) =>
      a.localeCompare(b),
    );
    expect(body.items.map((s) => s.name)).toEqual(visible);
    expect(body.total).toBe(3);
    expect(DEFAULT_FIXTURES.length).toBeGreaterThan(3);
    const all = (await agents.operator.get('/api/servers')).body as ServerListResponse;
    expect(all.total).toBe(DEFAULT_FIXTURES.length);
  });

  it('answer 404 for a hidden server exactly like a server that does not exist', async () => {
    const hidden = await scoped.get(`/api/servers/${LEGACY_SERVER}`);
    const missing = await scoped.get('/api/servers/ns-nope.example');
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: `There is no server named "${LEGACY_SERVER}" in this OVH account. Check the name in the server list.`,
      },
    });
    expect(missing.body).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: `There is no server named "ns-nope.example" in this OVH account. Check the name in the server list.`,
      },
    });
    for (const [method, path] of [
      ['get', `/api/servers/${LEGACY_SERVER}/templates`],
      ['get', `/api/servers/${LEGACY_SERVER}/install`],
      ['post', `/api/servers/${LEGACY_SERVER}/install`],
      ['post', `/api/servers/${LEGACY_SERVER}/install/cancel`],
      ['post', `/api/servers/${LEGACY_SERVER}/preflight`],
    ] as const) {
      const res = await scoped[method](path).send(
        method === 'post'
          ? { imageURL: 'https://images.example.com/a.qcow2', imageType: 'qcow2' }
          : undefined,
      );
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // The hidden server was never asked about upstream.
    const calls = Object.keys(h.sim.admin.calls());
    expect(calls.filter((c) => c.includes(LEGACY_SERVER))).toEqual([]);
    expect(h.sim.admin.requests()).toEqual([]);
  });

  it('let the scoped operator work on their own servers', async () => {
    expect((await scoped.get(`/api/servers/${DEFAULT_SERVER}`)).status).toBe(200);
    expect((await scoped.post(`/api/servers/${DEFAULT_SERVER}/install`).send({})).status).toBe(400);
  });
});
