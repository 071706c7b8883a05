import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FIXTURES, DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { startHarness, type Harness } from '../testing/harness.ts';

// The real node-ovh client against the real simulator: the simulator counts every call it gets.
let h: Harness | undefined;
afterEach(() => h?.close());

const timeCalls = (harness: Harness) => harness.sim.admin.calls()['GET /auth/time'] ?? 0;

describe('OVH clock sync', () => {
  it('asks OVH for its time once for a cold burst of signed calls, not once per call', async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0', OVH_CONCURRENCY: '16' });
    const names = DEFAULT_FIXTURES.map((f) => f.name);
    await Promise.all(names.map((sn) => h!.ovh.getServer(sn)));
    expect(names.length).toBeGreaterThan(2);
    expect(timeCalls(h)).toBe(1);
  });

  it('has learnt the time before the first operator request arrives', async () => {
    h = await startHarness({ SERVER_CACHE_TTL_MS: '0' });
    await new Promise((r) => setTimeout(r, 200));
    expect(timeCalls(h)).toBe(1);
    await h.ovh.getServer(DEFAULT_SERVER);
    expect(timeCalls(h)).toBe(1);
  });
});
