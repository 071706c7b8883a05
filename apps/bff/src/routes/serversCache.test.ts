import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type { ServerDetailResponse, ServerListResponse } from '@byoi/shared';
import { eventually, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, type TestAgent } from '../testing/users.ts';

// The server list and pages with the cache on, through the real app, node-ovh and simulator:
// what a warm read costs upstream (nothing), and what makes it read OVH again.

let h: Harness;
let operator: TestAgent;
beforeAll(async () => {
  h = await startHarness({ SERVER_CACHE_TTL_MS: '60000', SIMULATOR_CLOCK_SPEED: '1' });
  operator = await h.signIn(OPERATOR);
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

const detail = async (sn = DEFAULT_SERVER) =>
  (await operator.get(`/api/servers/${sn}`).expect(200)).body as ServerDetailResponse;

describe('warm server reads', () => {
  it('answers a warm list page and a warm server page without calling OVH', async () => {
    await operator.get('/api/servers?pageSize=5').expect(200);
    await operator.get('/api/servers?page=1&pageSize=5&search=ns').expect(200);
    await detail();
    h.sim.admin.reset();
    await operator.get('/api/servers?pageSize=5').expect(200);
    await operator.get('/api/servers?page=1&pageSize=5&search=ns').expect(200);
    expect((await detail()).install.state).toBe('idle');
    expect(h.sim.admin.calls()).toEqual({});
  });

  it('shares one upstream call among identical list requests in flight', async () => {
    await Promise.all(
      Array.from({ length: 10 }, () => operator.get('/api/servers?pageSize=7').expect(200)),
    );
    expect(h.sim.admin.calls()['GET /dedicated/server']).toBe(1);
  });

  it('reads the install again once an install is submitted here', async () => {
    expect((await detail()).install.state).toBe('idle');
    await operator
      .post(`/api/servers/${DEFAULT_SERVER}/install`)
      .set('Idempotency-Key', 'cache-test-install-1')
      .send({
        imageURL: 'https://images.example.test/disk.qcow2',
        imageType: 'qcow2',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      })
      .expect(202);
    const statusReads = () =>
      h.sim.admin.calls()[`GET /dedicated/server/${DEFAULT_SERVER}/install/status`] ?? 0;
    const before = statusReads();
    const after = await detail();
    expect(after.install.state).toBe('running');
    expect(after.server.installing).toBe(true);
    expect(statusReads()).toBe(before + 1);
  });
});

describe('the fleet list and its short cache', () => {
  it('shows a server added at OVH once the TTL has passed, and not before', async () => {
    const short = await startHarness({ SERVER_CACHE_TTL_MS: '300' });
    try {
      const viewer = await short.signIn(OPERATOR);
      const names = async () =>
        (
          (await viewer.get('/api/servers?pageSize=200').expect(200)).body as ServerListResponse
        ).items.map((s) => s.name);
      expect(await names()).not.toContain('ns9000000.ip-51-91-9.eu');
      short.sim.admin.addServer({ name: 'ns9000000.ip-51-91-9.eu', displayName: 'arrived' });
      // Within the TTL the cached page answers…
      expect(await names()).not.toContain('ns9000000.ip-51-91-9.eu');
      // …after it, the page is read again (answered stale once while it refreshes).
      await new Promise((r) => setTimeout(r, 350));
      await names();
      await eventually(
        async () => ((await names()).includes('ns9000000.ip-51-91-9.eu') ? true : undefined),
        2_000,
      );
    } finally {
      await short.close();
    }
  });
});
