import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, SMALL_RAM_SERVER } from '@byoi/ovh-simulator';
import type { ServerDetailResponse, TemplatesResponse } from '@byoi/shared';
import { startHarness, type Harness } from '../testing/harness.ts';
import { VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let viewer: TestAgent;
beforeAll(async () => {
  h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
  viewer = await h.signIn(VIEWER);
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

describe('GET /api/servers/:sn', () => {
  it('answers details, hardware with the image limit, and idle install progress', async () => {
    const res = await viewer.get(`/api/servers/${DEFAULT_SERVER}`).expect(200);
    const body = res.body as ServerDetailResponse;
    expect(body.server).toMatchObject({
      name: DEFAULT_SERVER,
      displayName: 'web-prod-01',
      reverse: 'ns1234567.ip-51-91-0.eu',
      rack: 'G312A04',
      powerState: 'poweron',
      supportLevel: 'pro',
      installing: false,
      // OVH's own setting for the server: the install form starts with it.
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    });
    expect(body.hardware).toEqual({
      memoryBytes: 32 * 1024 ** 3,
      imageLimitBytes: 29 * 1024 ** 3,
      bootMode: 'uefi',
      description: 'ADVANCE-1 - AMD EPYC 4244P',
      processorName: 'AMD EPYC 4244P',
      diskGroups: [
        {
          diskGroupId: 1,
          description: '2 X Disk NVME, 960GB, JBOD',
          diskType: 'NVME',
          numberOfDisks: 2,
          // Sold as 960 GB: decimal units.
          diskSizeBytes: 960_000_000_000,
          raidController: null,
        },
      ],
    });
    expect(body.install).toMatchObject({ serverName: DEFAULT_SERVER, state: 'idle', task: null });
  });

  it('computes RAM − 3 GiB for the small-RAM server (8 MiB)', async () => {
    const res = await viewer.get(`/api/servers/${SMALL_RAM_SERVER}`).expect(200);
    expect((res.body as ServerDetailResponse).hardware.imageLimitBytes).toBe(8 * 1024 ** 2);
  });

  it('answers 404 NOT_FOUND naming an unknown server', async () => {
    const res = await viewer.get('/api/servers/ns-nope.example').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.body.error).toEqual({
      code: 'NOT_FOUND',
      message:
        'There is no server named "ns-nope.example" in this OVH account. Check the name in the server list.',
    });
  });
});

describe('GET /api/servers/:sn/templates', () => {
  it('groups compatible templates; Custom holds byoi_64 as "Bring Your Own Image - byoi"', async () => {
    const res = await viewer.get(`/api/servers/${DEFAULT_SERVER}/templates`).expect(200);
    const body = res.body as TemplatesResponse;
    const custom = body.categories.find((c) => c.label === 'Custom');
    expect(custom?.category).toBe('CUSTOMER');
    expect(custom?.templates).toContainEqual(
      expect.objectContaining({ name: 'byoi_64', displayName: 'Bring Your Own Image - byoi' }),
    );
    expect(body.categories.find((c) => c.category === 'BASIC')?.label).toBe('Basic');
  });

  it('answers 404 for an unknown server', async () => {
    await viewer.get('/api/servers/nope/templates').expect(404);
  });
});

describe('GET /api/ready', () => {
  it('is ready when the simulator answers /auth/time', async () => {
    expect((await viewer.get('/api/ready').expect(200)).body).toEqual({ status: 'ready' });
  });
});
