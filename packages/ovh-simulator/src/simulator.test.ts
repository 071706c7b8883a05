/** startSimulator's options: the generated fleet and the added latency the benchmark relies on, fixtures, bad options. */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, plainCall, rawCall, startTrusted } from '../test/helpers.ts';
import {
  DEFAULT_FIXTURES,
  SMALL_DISK_SERVER,
  SMALL_RAM_SERVER,
  generateServers,
  imageLimitBytes,
  startSimulator,
  targetDisk,
} from './index.ts';
import type { Simulator } from './index.ts';

const MiB = 1024 * 1024;

describe('serverCount: a generated fleet of 1,000 servers', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ serverCount: 1000 }));
  });
  afterAll(() => close());

  it('lists the fixtures and 1,000 more, with unique names', async () => {
    const names = (await client(sim).requestPromised('GET', '/dedicated/server')) as string[];
    expect(names).toHaveLength(DEFAULT_FIXTURES.length + 1000);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, DEFAULT_FIXTURES.length)).toEqual(DEFAULT_FIXTURES.map((f) => f.name));
    for (const name of names)
      expect(name).toMatch(/^ns\d+\.ip-[\d-]+\.(eu|net)$|^ns-[a-z-]+\.ip-[\d-]+\.eu$/);
  });

  it('is the same fleet on every start', () => {
    expect(generateServers(1000)).toEqual(generateServers(1000));
    expect(generateServers(3).map((s) => s.name)).toEqual(
      generateServers(1000)
        .slice(0, 3)
        .map((s) => s.name),
    );
  });

  it('answers 100 concurrent signed calls across the fleet (each checked against OpenAPI on close)', async () => {
    const c = client(sim);
    const names = ((await c.requestPromised('GET', '/dedicated/server')) as string[]).slice(
      DEFAULT_FIXTURES.length,
    );
    const sample = names.filter((_, i) => i % 20 === 0);
    const answers = await Promise.all(
      sample.flatMap((name) => [
        c.requestPromised('GET', `/dedicated/server/${name}`),
        c.requestPromised('GET', `/dedicated/server/${name}/specifications/hardware`),
      ]),
    );
    expect(answers).toHaveLength(100);
    const servers = answers.filter((_, i) => i % 2 === 0) as Array<{
      name: string;
      datacenter: string;
    }>;
    expect(servers.map((s) => s.name)).toEqual(sample);
    // The fleet spreads over several datacenters, as a real one does.
    expect(new Set(servers.map((s) => s.datacenter)).size).toBeGreaterThan(1);
  });

  it('refuses a serverCount that is not a whole number ≥ 0', async () => {
    await expect(startSimulator({ serverCount: -1 })).rejects.toThrow(
      'serverCount must be a whole number ≥ 0 (got -1).',
    );
    await expect(startSimulator({ serverCount: 1.5 })).rejects.toThrow(
      'serverCount must be a whole number',
    );
  });
});

describe('latencyMs: a fixed delay on every OVH API call', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  const LATENCY = 400;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ latencyMs: LATENCY }));
  });
  afterAll(() => close());

  it('delays each call by the latency, concurrently rather than one after another', async () => {
    const c = client(sim);
    await c.requestPromised('GET', '/dedicated/server'); // time sync done
    const started = Date.now();
    await c.requestPromised('GET', '/dedicated/server');
    const one = Date.now() - started;
    expect(one).toBeGreaterThanOrEqual(LATENCY - 5);
    const timed = async () => {
      const t = Date.now();
      await c.requestPromised('GET', `/dedicated/server/${DEFAULT_FIXTURES[0]?.name ?? ''}`);
      return Date.now() - t;
    };
    const allStarted = Date.now();
    const each = await Promise.all(Array.from({ length: 10 }, timed));
    expect(Math.min(...each)).toBeGreaterThanOrEqual(LATENCY - 5);
    // One after another would take at least 10 × the latency.
    expect(Date.now() - allStarted).toBeLessThan(10 * LATENCY);
  });

  it('does not delay the admin API', async () => {
    const started = Date.now();
    expect((await plainCall(sim, 'GET', '/_sim/faults')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(LATENCY);
  });

  it('refuses a negative or non-number latency', async () => {
    await expect(startSimulator({ latencyMs: -5 })).rejects.toThrow(
      'latencyMs must be a number of milliseconds ≥ 0 (got -5).',
    );
    await expect(startSimulator({ latencyMs: Number.NaN })).rejects.toThrow(
      'latencyMs must be a number',
    );
  });
});

describe('fixtures and the OVH front door', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ sim, close } = await startTrusted());
  });
  afterAll(() => close());

  it('has a small-RAM server whose limit is a few MiB and a small-disk server', async () => {
    const small = DEFAULT_FIXTURES.find((f) => f.name === SMALL_RAM_SERVER);
    const tiny = DEFAULT_FIXTURES.find((f) => f.name === SMALL_DISK_SERVER);
    if (!small || !tiny) throw new Error('fixtures missing');
    expect(imageLimitBytes(small)).toBe(8 * MiB);
    // Disks are sold in decimal units: 16 MB is 16 000 000 bytes.
    expect(targetDisk(tiny)).toEqual({ device: '/dev/sda', bytes: 16_000_000 });
    const hardware = (await client(sim).requestPromised(
      'GET',
      `/dedicated/server/${SMALL_RAM_SERVER}/specifications/hardware`,
    )) as {
      memorySize: { unit: string; value: number };
    };
    expect(hardware.memorySize).toEqual({ unit: 'MB', value: 3 * 1024 + 8 });
  });

  it('serves every fixture in OVH’s shapes (checked against OpenAPI on close)', async () => {
    const c = client(sim);
    for (const fixture of DEFAULT_FIXTURES) {
      await c.requestPromised('GET', `/dedicated/server/${fixture.name}`);
      await c.requestPromised('GET', `/dedicated/server/${fixture.name}/specifications/hardware`);
      await c.requestPromised(
        'GET',
        `/dedicated/server/${fixture.name}/install/compatibleTemplates`,
      );
    }
    const byoi = (await c.requestPromised('GET', '/dedicated/installationTemplate/byoi_64')) as {
      category: string;
    };
    expect(byoi.category).toBe('CUSTOMER');
  });

  it('answers unknown paths and methods as OVH does', async () => {
    expect(await rawCall(sim, 'GET', '/dedicated/nothing')).toMatchObject({
      status: 404,
      body: { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' },
    });
    expect(await rawCall(sim, 'PUT', '/dedicated/server')).toMatchObject({
      status: 405,
      body: {
        class: 'Client::MethodNotAllowed',
        message: "Received not described method 'PUT' on path '/dedicated/server'",
      },
    });
    expect(await plainCall(sim, 'GET', '/2.0/dedicated/server')).toMatchObject({
      status: 404,
      body: { class: 'Client::NotFound' },
    });
  });

  it('keeps idle keep-alive connections open longer than clients do (no ECONNRESET on reuse)', async () => {
    const agent = new https.Agent({ keepAlive: true, ca: sim.ca });
    const get = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = https.get(
          { host: '127.0.0.1', port: sim.port, path: '/1.0/auth/time', agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve(req.reusedSocket));
          },
        );
        req.on('error', reject);
      });
    try {
      expect(await get()).toBe(false);
      // Node's server default (5 s, plus about 1 s of grace) would have closed it by now.
      await new Promise((resolve) => setTimeout(resolve, 7_500));
      expect(await get()).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('listens on loopback by default over HTTPS with the certificate it hands out', () => {
    expect(sim.host).toBe('127.0.0.1');
    expect(sim.url).toBe(`https://127.0.0.1:${sim.port}/1.0`);
    expect(sim.ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(sim.applicationKey).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(sim.applicationSecret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(sim.consumerKey).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
