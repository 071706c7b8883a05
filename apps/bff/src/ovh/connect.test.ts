import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { startHarness, type Harness } from '../testing/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('connectOvh in simulator mode', () => {
  it('trusts the simulator through one secure context that every new connection reuses', async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    const context = https.globalAgent.options.secureContext;
    expect(context).toBeDefined();
    https.globalAgent.destroy(); // the next calls open new connections
    await expect(h.ovh.listServerPage({ size: 5, number: 1 })).resolves.toMatchObject({
      items: expect.any(Array) as unknown,
    });
    expect(https.globalAgent.options.secureContext).toBe(context);
  });

  it('trusts a new simulator after the previous one stopped (same certificate subject)', async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    await h.ovh.listServerPage({ size: 5, number: 1 });
    await h.close();
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    await expect(h.ovh.listServerPage({ size: 5, number: 1 })).resolves.toMatchObject({
      items: expect.any(Array) as unknown,
    });
  });

  it("does not pile node-ovh's per-request timeout listeners onto kept-alive sockets", async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0', OVH_CONCURRENCY: '1' });
    for (let i = 0; i < 30; i++) await h.ovh.getServer(DEFAULT_SERVER);
    const pooled = Object.values(https.globalAgent.freeSockets).flatMap((list) => list ?? []);
    expect(pooled.length).toBeGreaterThan(0);
    for (const socket of pooled) expect(socket.listenerCount('timeout')).toBeLessThanOrEqual(1);
  });

  it('trusts the simulator without an agent-wide `ca` (it would be joined into every pool key)', async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    expect(https.globalAgent.options.ca).toBeUndefined();
  });
});
