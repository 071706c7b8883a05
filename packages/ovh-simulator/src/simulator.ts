import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SimulatorAdmin } from './admin/admin.ts';
import { createAdmin } from './admin/admin.ts';
import { FaultStore } from './admin/faults.ts';
import { buildAdminRouter } from './admin/routes.ts';
import { CredentialStore, FULL_ACCESS, randomKey } from './auth/credentials.ts';
import { Clock } from './clock.ts';
import { DEFAULT_FIXTURES, generateServers } from './fixtures.ts';
import type { ServerFixture } from './fixtures.ts';
import { API_PREFIX, createRequestHandler } from './http/handler.ts';
import type { ApiExchange } from './http/handler.ts';
import { InstallEngine } from './install/engine.ts';
import { buildOvhRouter } from './ovh/routes.ts';
import { SimulatorState } from './state.ts';
import { generateCertificate } from './tls.ts';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default; anything else exposes an unauthenticated admin API's neighbour. */
  host?: string;
  /** Divides every install step's duration (default 1: an install takes about a minute). */
  clockSpeed?: number;
  /** Replaces the default servers. */
  fixtures?: readonly ServerFixture[];
  /** How long every OVH API call takes to answer, in ms, the simulator's own work included. */
  latencyMs?: number;
  /** Extra generated servers, deterministic (the fleet benchmark uses 1,000). */
  serverCount?: number;
  /** An image download that sends nothing for this long fails with OVH's download message. */
  downloadTimeoutMs?: number;
  /** Told about every OVH API answer (tests check each one against OVH's OpenAPI file). */
  onResponse?: (exchange: ApiExchange) => void;
}

export interface Simulator {
  /** e.g. `https://127.0.0.1:43123/1.0`. */
  url: string;
  host: string;
  port: number;
  /** PEM of the generated certificate, which clients must trust. */
  ca: string;
  applicationKey: string;
  applicationSecret: string;
  /** Validated, with full access (`GET/POST/PUT/DELETE /*`). */
  consumerKey: string;
  admin: SimulatorAdmin;
  close(): Promise<void>;
}

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const initialClockSpeed = options.clockSpeed ?? 1;
  const clock = new Clock(initialClockSpeed);
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new RangeError(
      `latencyMs must be a number of milliseconds ≥ 0 (got ${String(options.latencyMs)}).`,
    );
  }
  const fixtures = [
    ...(options.fixtures ?? DEFAULT_FIXTURES),
    ...generateServers(options.serverCount ?? 0),
  ];
  const state = new SimulatorState(fixtures);

  const credentials = new CredentialStore();
  const applicationKey = randomKey(16);
  const applicationSecret = randomKey(32);
  credentials.addApplication({ applicationKey, applicationSecret });
  const { consumerKey } = credentials.create(applicationKey, FULL_ACCESS);
  credentials.validate(consumerKey);

  const faults = new FaultStore();
  const engine = new InstallEngine({
    state,
    clock,
    downloadTimeoutMs: options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
  });
  const admin = createAdmin({
    state,
    faults,
    clock,
    credentials,
    applicationKey,
    defaultConsumerKey: consumerKey,
    initialClockSpeed,
  });

  const certificate = await generateCertificate();
  const server = https.createServer(
    { cert: certificate.cert, key: certificate.key },
    createRequestHandler({
      state,
      credentials,
      faults,
      ovh: buildOvhRouter({ state, engine, credentials }),
      admin: buildAdminRouter(admin),
      latencyMs: () => latencyMs,
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    }),
  );
  // Longer than clients' idle-socket timeouts (Node's global agent: 5 s), so a client never reuses
  // a keep-alive socket at the moment the simulator closes it (an ECONNRESET under load).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `https://${urlHost}:${port}${API_PREFIX}`,
    host,
    port,
    ca: certificate.cert,
    applicationKey,
    applicationSecret,
    consumerKey,
    admin,
    async close() {
      for (const record of state.servers.values()) record.install?.abort.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
