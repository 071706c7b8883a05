import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, startSimulator } from '@byoi/ovh-simulator';
import { loadConfig } from '../config.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { connectOvh, OvhConnectError } from './connect.ts';

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

describe('connectOvh with SIMULATOR_URL (a simulator shared by several replicas)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'byoi-connect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const remoteEnv = (
    sim: Awaited<ReturnType<typeof startSimulator>>,
    caFile: string,
  ): NodeJS.ProcessEnv => ({
    SIMULATOR_URL: sim.url,
    SIMULATOR_CA_FILE: caFile,
    OVH_APPLICATION_KEY: sim.applicationKey,
    OVH_APPLICATION_SECRET: sim.applicationSecret,
    OVH_CONSUMER_KEY: sim.consumerKey,
    DATA_DIR: path.join(dir, 'data'),
  });

  it('reaches the running simulator through node-ovh, starting none of its own', async () => {
    const sim = await startSimulator({ clockSpeed: 1000 });
    try {
      const caFile = path.join(dir, 'ca.pem');
      writeFileSync(caFile, sim.ca);
      const connection = await connectOvh(loadConfig(remoteEnv(sim, caFile)));
      expect(connection.simulator).toBeNull();
      expect(connection.simulatorAdminUrl).toBe(`${new URL(sim.url).origin}/_sim`);
      const page = await connection.api.listServerPage({ size: 50, number: 1 });
      expect(page.items.map((server) => server.name)).toContain(DEFAULT_SERVER);
      expect(sim.admin.calls()['GET /dedicated/server']).toBeGreaterThanOrEqual(1);
      await connection.close();
    } finally {
      await sim.close();
    }
  });

  it('refuses to start with a sentence naming SIMULATOR_CA_FILE when the file is missing or no certificate', async () => {
    const sim = await startSimulator();
    try {
      const missing = path.join(dir, 'nowhere', 'ca.pem');
      const refusal = connectOvh(loadConfig(remoteEnv(sim, missing)));
      await expect(refusal).rejects.toBeInstanceOf(OvhConnectError);
      await expect(refusal).rejects.toThrow(
        `SIMULATOR_CA_FILE ${missing} cannot be read (ENOENT): give the CA certificate the simulator's CLI wrote`,
      );
      const notPem = path.join(dir, 'not-a-certificate.pem');
      writeFileSync(notPem, 'OVH_APPLICATION_KEY=abc\n');
      await expect(connectOvh(loadConfig(remoteEnv(sim, notPem)))).rejects.toThrow(
        `SIMULATOR_CA_FILE ${notPem} holds no PEM certificate`,
      );
    } finally {
      await sim.close();
    }
  });
});
