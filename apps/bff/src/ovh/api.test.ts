import { describe, expect, it, vi } from 'vitest';
import { OvhApi } from './api.ts';
import { OvhError } from './errors.ts';
import type { OvhTransport } from './transport.ts';

// Unit tests of the efficiency rules with a scripted transport (the layer *below* node-ovh's
// wrapper); the routes' tests run the real node-ovh client against the real simulator.

function recorder(answer: (method: string, path: string) => unknown) {
  const calls: { method: string; path: string; params: unknown }[] = [];
  const transport: OvhTransport = async (method, path, params) => {
    calls.push({ method, path, params });
    await new Promise((r) => setTimeout(r, 5));
    return answer(method, path);
  };
  return { calls, transport };
}

const fast = { maxRetries: 2, baseDelayMs: 1 };

describe('OvhApi coalescing and concurrency', () => {
  it('serves a burst of 100 identical GETs with one upstream call', async () => {
    const { calls, transport } = recorder(() => ['a', 'b']);
    const api = new OvhApi({ transport, concurrency: 4, cacheTtlMs: 0, retry: fast });
    const results = await Promise.all(Array.from({ length: 100 }, () => api.getServer('s1')));
    expect(calls).toHaveLength(1);
    expect(results.every((r) => r === results[0])).toBe(true);
  });

  it('does not coalesce different queries', async () => {
    const { calls, transport } = recorder(() => [1]);
    const api = new OvhApi({ transport, concurrency: 4, cacheTtlMs: 0, retry: fast });
    await Promise.all([
      api.listTasks('s1', { function: 'reinstallServer' }),
      api.listTasks('s1', { function: 'reinstallServer' }),
      api.listTasks('s1', { status: 'doing' }),
    ]);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.params).toEqual({ function: 'reinstallServer' });
  });

  it('calls again once the shared call has settled', async () => {
    const { calls, transport } = recorder(() => []);
    const api = new OvhApi({ transport, concurrency: 4, cacheTtlMs: 0, retry: fast });
    await api.getServer('s1');
    await api.getServer('s1');
    expect(calls).toHaveLength(2);
  });

  it('never runs more than `concurrency` upstream calls at once', async () => {
    let running = 0;
    let peak = 0;
    const transport: OvhTransport = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return { name: 'x' };
    };
    const api = new OvhApi({ transport, concurrency: 3, cacheTtlMs: 0, retry: fast });
    await Promise.all(Array.from({ length: 20 }, (_, i) => api.getServer(`s${i}`)));
    expect(peak).toBe(3);
  });

  it('URL-encodes the service name', async () => {
    const { calls, transport } = recorder(() => ({}));
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await api.getServer('a/../b');
    expect(calls[0]?.path).toBe('/dedicated/server/a%2F..%2Fb');
  });
});

describe('OvhApi cache', () => {
  function setup() {
    let now = 1_000;
    const { calls, transport } = recorder((method, path) =>
      method === 'POST' ? { taskId: 1, function: 'reinstallServer', status: 'init' } : { path },
    );
    const api = new OvhApi({
      transport,
      concurrency: 4,
      cacheTtlMs: 5_000,
      retry: fast,
      now: () => now,
    });
    return { api, calls, advance: (ms: number) => (now += ms) };
  }
  const gets = (calls: { method: string }[]) => calls.filter((c) => c.method === 'GET').length;

  it('hits within the TTL and misses after it', async () => {
    const { api, calls, advance } = setup();
    await api.getServer('s1');
    await api.getHardware('s1');
    expect(gets(calls)).toBe(2);
    advance(4_999);
    await api.getServer('s1');
    await api.getHardware('s1');
    expect(gets(calls)).toBe(2);
    advance(1);
    await api.getServer('s1');
    expect(gets(calls)).toBe(3);
  });

  it('keeps servers apart', async () => {
    const { api, calls } = setup();
    await api.getServer('s1');
    await api.getServer('s2');
    expect(gets(calls)).toBe(2);
  });

  it('is invalidated for the server when an install is submitted', async () => {
    const { api, calls } = setup();
    await api.getServer('s1');
    await api.getServer('s2');
    await api.startInstall('install-start', 's1', { templateName: 'byoi_64' });
    await api.getServer('s1');
    await api.getServer('s2');
    expect(gets(calls)).toBe(3);
    expect(calls.find((c) => c.method === 'POST')?.path).toBe('/dedicated/server/s1/install/start');
  });

  it('is invalidated explicitly (install ended) and by a cancel', async () => {
    const { api, calls } = setup();
    await api.getHardware('s1');
    api.invalidateServer('s1');
    await api.getHardware('s1');
    expect(gets(calls)).toBe(2);
    await api.cancelTask('s1', 7);
    await api.getHardware('s1');
    expect(gets(calls)).toBe(3);
  });

  it('serves a burst of 100 identical detail reads with one upstream call, then from the cache', async () => {
    const { api, calls } = setup();
    const burst = await Promise.all(Array.from({ length: 100 }, () => api.getServer('s1')));
    expect(gets(calls)).toBe(1);
    expect(new Set(burst).size).toBe(1);
    await api.getServer('s1');
    expect(gets(calls)).toBe(1);
  });

  it('caches a server and hands out the same object within the TTL', async () => {
    const { api, calls, advance } = setup();
    const first = await api.getServer('s2');
    advance(4_999);
    expect(await api.getServer('s2')).toBe(first);
    expect(gets(calls)).toBe(1);
  });

  it('does not cache, nor share, a detail read that began before an install was submitted', async () => {
    const { api, calls } = setup();
    const before = api.getServer('s1');
    await api.startInstall('install-start', 's1', {});
    const after = api.getServer('s1');
    await Promise.all([before, after]);
    expect(gets(calls)).toBe(2);
    await api.getServer('s1');
    expect(gets(calls)).toBe(2);
  });

  it('remembers settled facts for the TTL, shares concurrent loads, and forgets them on install', async () => {
    const { api, advance } = setup();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return { state: 'idle' };
    };
    const settled = (v: { state: string }) => v.state !== 'running';
    await Promise.all(
      Array.from({ length: 10 }, () => api.remember('s1', 'install', load, settled)),
    );
    await api.remember('s1', 'install', load, settled);
    expect(loads).toBe(1);
    await api.startInstall('install-start', 's1', {});
    await api.remember('s1', 'install', load, settled);
    expect(loads).toBe(2);
    advance(5_000);
    await api.remember('s1', 'install', load, settled);
    expect(loads).toBe(3);
  });

  it('does not remember a fact that is not settled', async () => {
    const { api } = setup();
    let loads = 0;
    const load = () => Promise.resolve({ state: 'running', n: ++loads });
    const settled = (v: { state: string }) => v.state !== 'running';
    await api.remember('s1', 'install', load, settled);
    await api.remember('s1', 'install', load, settled);
    expect(loads).toBe(2);
  });

  describe('stale-while-revalidate', () => {
    function versioned() {
      let now = 1_000;
      let version = 0;
      let release: () => void = () => undefined;
      let hold = false;
      const transport: OvhTransport = async (method) => {
        if (method === 'POST') return { taskId: 1 };
        const v = ++version;
        if (hold) await new Promise<void>((r) => (release = r));
        return { name: 's1', version: v };
      };
      const api = new OvhApi({
        transport,
        concurrency: 4,
        cacheTtlMs: 5_000,
        retry: fast,
        now: () => now,
      });
      return {
        api,
        advance: (ms: number) => (now += ms),
        holdNext: () => (hold = true),
        release: () => {
          hold = false;
          release();
        },
        loads: () => version,
      };
    }
    const versionOf = (server: unknown) => (server as { version: number }).version;

    it('answers a stale entry at once and refreshes it in the background', async () => {
      const t = versioned();
      expect(versionOf(await t.api.getServer('s1'))).toBe(1);
      t.advance(5_000);
      t.holdNext();
      expect(versionOf(await t.api.getServer('s1'))).toBe(1); // not waiting on the held refresh
      expect(versionOf(await t.api.getServer('s1'))).toBe(1);
      expect(t.loads()).toBe(2); // one refresh for both stale reads
      t.release();
      await new Promise((r) => setTimeout(r, 10));
      expect(versionOf(await t.api.getServer('s1'))).toBe(2);
      expect(t.loads()).toBe(2);
    });

    it('waits for OVH once an entry is older than two TTLs', async () => {
      const t = versioned();
      await t.api.getServer('s1');
      t.advance(10_000);
      expect(versionOf(await t.api.getServer('s1'))).toBe(2);
    });

    it('never answers a stale entry after an install was submitted', async () => {
      const t = versioned();
      await t.api.getServer('s1');
      t.advance(6_000);
      await t.api.startInstall('install-start', 's1', {});
      expect(versionOf(await t.api.getServer('s1'))).toBe(2);
    });
  });

  it('caches nothing with a TTL of 0', async () => {
    const { calls, transport } = recorder(() => ({}));
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await api.getServer('s1');
    await api.getServer('s1');
    expect(calls).toHaveLength(2);
  });
});

describe('OvhApi retries', () => {
  function flaky(failures: unknown[], success: unknown) {
    const calls: string[] = [];
    const transport: OvhTransport = (method) => {
      calls.push(method);
      const failure = failures.shift();
      // node-ovh rejects with plain objects; the failures here copy its shapes.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return failure === undefined ? Promise.resolve(success) : Promise.reject(failure);
    };
    return { calls, transport };
  }

  it('retries a GET on 5xx and succeeds', async () => {
    const { calls, transport } = flaky([{ error: 500 }, { error: 503 }], ['s1']);
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.getServer('s1')).resolves.toEqual(['s1']);
    expect(calls).toHaveLength(3);
  });

  it('gives up on a GET after 2 retries with the last error', async () => {
    const { calls, transport } = flaky([{ error: 500 }, { error: -111 }, { error: 502 }], []);
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.getServer('s1')).rejects.toMatchObject({ status: 502, kind: 'http' });
    expect(calls).toHaveLength(3);
  });

  it('retries network errors and timeouts', async () => {
    const { calls, transport } = flaky(
      [
        { error: -104 },
        new OvhError({ status: 0, kind: 'timeout', retryable: true, message: 't' }),
      ],
      7,
    );
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.getTime()).resolves.toBe(7);
    expect(calls).toHaveLength(3);
  });

  it('does not retry a GET on 4xx', async () => {
    const { calls, transport } = flaky(
      [{ error: 403, message: 'This call has not been granted' }],
      {},
    );
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.getServer('s1')).rejects.toMatchObject({
      status: 403,
      rule: 'GET /dedicated/server/*',
    });
    expect(calls).toHaveLength(1);
  });

  it('never retries a POST, even on 5xx or a network error', async () => {
    for (const failure of [{ error: 500 }, { error: -111 }]) {
      const { calls, transport } = flaky([failure], {});
      const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
      await expect(api.startInstall('reinstall', 's1', {})).rejects.toBeInstanceOf(OvhError);
      expect(calls).toEqual(['POST']);
    }
  });

  it('names the access rule of a failed install for each route', async () => {
    const { transport } = flaky([{ error: 403 }, { error: 403 }], {});
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.startInstall('install-start', 's', {})).rejects.toMatchObject({
      rule: 'POST /dedicated/server/*/install/start',
    });
    await expect(api.startInstall('reinstall', 's', {})).rejects.toMatchObject({
      rule: 'POST /dedicated/server/*/reinstall',
    });
  });

  it('answers null for install status when OVH says 404 (no install running)', async () => {
    const { transport } = flaky([{ error: 404, message: 'no install' }], {});
    const api = new OvhApi({ transport, concurrency: 1, cacheTtlMs: 0, retry: fast });
    await expect(api.getInstallStatus('s1')).resolves.toBeNull();
  });

  it('backs off between retries', async () => {
    vi.useFakeTimers();
    try {
      const { calls, transport } = flaky([{ error: 500 }], 1);
      const api = new OvhApi({
        transport,
        concurrency: 1,
        cacheTtlMs: 0,
        retry: { maxRetries: 2, baseDelayMs: 100, random: () => 0.5 },
      });
      const pending = api.getTime();
      await vi.advanceTimersByTimeAsync(149);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(pending).resolves.toBe(1);
      expect(calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
