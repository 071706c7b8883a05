/**
 * Connects the app to OVH: the real API with the configured credentials, or (simulator mode) the
 * embedded simulator on loopback, reached through the very same node-ovh client.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import ovh, { type OvhClient } from '@ovhcloud/node-ovh';
import { startSimulator } from '@byoi/ovh-simulator';
import type { Config } from '../config.ts';
import { OvhApi } from './api.ts';
import type { RetryPolicy } from './retry.ts';
import { signedPageTransport, type OvhPageTransport } from './pagedRequest.ts';
import { nodeOvhTransport, type OvhTransport } from './transport.ts';

export type RunningSimulator = Awaited<ReturnType<typeof startSimulator>>;

/** Why the console cannot reach its OVH API at start, in words for the operator. */
export class OvhConnectError extends Error {
  override name = 'OvhConnectError';
}

/** SIMULATOR_CA_FILE's certificate, or a sentence saying what to fix (not a bare ENOENT). */
function readSimulatorCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OvhConnectError(
      `SIMULATOR_CA_FILE ${file} cannot be read (${code}): give the CA certificate the simulator's CLI wrote (its "CA certificate:" line, or the path given to --ca-file).`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new OvhConnectError(
      `SIMULATOR_CA_FILE ${file} holds no PEM certificate: give the CA certificate the simulator's CLI wrote.`,
    );
  }
  return text;
}

export interface OvhConnection {
  api: OvhApi;
  /** Present when this process started the simulator (tests use its admin API). */
  simulator: RunningSimulator | null;
  /** The simulator's admin API, in simulator mode (this process's or a shared one's). */
  simulatorAdminUrl: string | null;
  close(): Promise<void>;
}

/**
 * node-ovh 3.0.0 calls `https.request` without an agent or CA option, so the simulator's
 * certificate is trusted through the global agent: one secure context holding the public roots
 * (still trusted; verification stays on) and the simulator's certificate. A new simulator's
 * certificate replaces the previous one: they all have the same subject, and OpenSSL, finding the
 * older one first, would reject the new one. Not set as the agent's `ca`: the agent then re-parsed
 * ~140 roots for every connection and joined them into its pool key on every request (most of the
 * CPU of an upstream call).
 */
export function trustCertificate(ca: string): void {
  https.globalAgent.options.secureContext = tls.createSecureContext({
    ca: [...tls.rootCertificates, ca],
  });
}

const cleanedAgents = new WeakSet<https.Agent>();

/**
 * node-ovh 3.0.0, given a `timeout`, adds an anonymous `timeout` listener (which aborts its
 * request) to the socket of every request and never removes it. On a kept-alive socket they pile
 * up, each holding its finished request: a leak that grows with every call. When a socket goes
 * back to the pool its request is over, so those listeners are dropped; the agent's own
 * (`onTimeout`, named) stays.
 */
export function dropFinishedRequestTimeouts(agent: https.Agent): void {
  if (cleanedAgents.has(agent)) return;
  cleanedAgents.add(agent);
  agent.on('free', (socket: Socket) => {
    for (const listener of socket.listeners('timeout')) {
      if (listener.name === '') socket.removeListener('timeout', listener as () => void);
    }
  });
}

/**
 * node-ovh's transport and the list pages made beside it (pagedRequest.ts), sharing node-ovh's
 * clock, with OVH's clock learnt now rather than on the first operator's request.
 */
function startTransports(
  client: OvhClient,
  timeoutMs: number,
): { transport: OvhTransport; pages: OvhPageTransport } {
  dropFinishedRequestTimeouts(https.globalAgent);
  const { transport, clock } = nodeOvhTransport(client, timeoutMs);
  void clock.ready();
  return { transport, pages: signedPageTransport(client, clock, timeoutMs) };
}

export async function connectOvh(
  config: Config,
  options: { retry?: RetryPolicy } = {},
): Promise<OvhConnection> {
  const common = {
    concurrency: config.ovhConcurrency,
    cacheTtlMs: config.serverCacheTtlMs,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  if (config.ovh) {
    const client = ovh({
      endpoint: config.ovh.endpoint,
      appKey: config.ovh.applicationKey,
      appSecret: config.ovh.applicationSecret,
      consumerKey: config.ovh.consumerKey,
      timeout: config.ovhTimeoutMs,
    });
    return {
      api: new OvhApi({ ...startTransports(client, config.ovhTimeoutMs), ...common }),
      simulator: null,
      simulatorAdminUrl: null,
      close: () => Promise.resolve(),
    };
  }

  const remote = config.simulator.remote;
  if (remote) {
    // A simulator shared by several replicas (SIMULATOR_URL): reached like OVH, through node-ovh.
    trustCertificate(readSimulatorCa(remote.caFile));
    const client = ovh({
      appKey: remote.applicationKey,
      appSecret: remote.applicationSecret,
      consumerKey: remote.consumerKey,
      host: remote.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(remote.url.port || 443),
      basePath: remote.url.pathname.replace(/\/$/, ''),
      timeout: config.ovhTimeoutMs,
    });
    return {
      api: new OvhApi({ ...startTransports(client, config.ovhTimeoutMs), ...common }),
      simulator: null,
      simulatorAdminUrl: `${remote.url.origin}/_sim`,
      close: () => Promise.resolve(),
    };
  }

  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: config.simulator.port,
    clockSpeed: config.simulator.clockSpeed,
    ...(config.simulator.latencyMs !== undefined ? { latencyMs: config.simulator.latencyMs } : {}),
    ...(config.simulator.serverCount !== undefined
      ? { serverCount: config.simulator.serverCount }
      : {}),
  });
  trustCertificate(simulator.ca);
  const client = ovh({
    appKey: simulator.applicationKey,
    appSecret: simulator.applicationSecret,
    consumerKey: simulator.consumerKey,
    host: '127.0.0.1',
    port: simulator.port,
    basePath: '/1.0',
    timeout: config.ovhTimeoutMs,
  });
  return {
    api: new OvhApi({ ...startTransports(client, config.ovhTimeoutMs), ...common }),
    simulator,
    simulatorAdminUrl: `https://127.0.0.1:${simulator.port}/_sim`,
    close: () => simulator.close(),
  };
}
