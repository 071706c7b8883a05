/**
 * The real node-ovh client against the real simulator, which reports every answer it sends with
 * its `X-Ovh-QueryID`: each failure must carry exactly the id (and class) of its own answer, under
 * concurrency, out-of-order answers, kept-alive sockets, retries and timeouts.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import ovh, { type OvhClient } from '@ovhcloud/node-ovh';
import {
  DEFAULT_SERVER,
  LEGACY_SERVER,
  startSimulator,
  type ApiExchange,
  type Simulator,
} from '@byoi/ovh-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OvhApi } from './api.ts';
import { MAX_ERROR_BODY_BYTES } from './answerTrace.ts';
import { dropFinishedRequestTimeouts, trustCertificate } from './connect.ts';
import { OvhError } from './errors.ts';
import { nodeOvhTransport, type OvhTransport } from './transport.ts';

let sim: Simulator;
let client: OvhClient;
let transport: OvhTransport;
const exchanges: ApiExchange[] = [];

function connect(timeoutMs: number): OvhTransport {
  return nodeOvhTransport(client, timeoutMs).transport;
}

beforeAll(async () => {
  sim = await startSimulator({ onResponse: (exchange) => exchanges.push(exchange) });
  trustCertificate(sim.ca);
  dropFinishedRequestTimeouts(https.globalAgent);
  client = ovh({
    appKey: sim.applicationKey,
    appSecret: sim.applicationSecret,
    consumerKey: sim.consumerKey,
    host: '127.0.0.1',
    port: sim.port,
    basePath: '/1.0',
    timeout: 3000,
  });
  transport = connect(3000);
  await transport('GET', '/auth/time');
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.admin.reset();
  exchanges.length = 0;
});

async function failure(call: Promise<unknown>): Promise<OvhError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OvhError) return error;
    throw error;
  }
  throw new Error('expected the OVH call to fail, it succeeded');
}

/** The simulator's own record of what it answered on `path`. */
function sent(method: string, path: string): ApiExchange[] {
  return exchanges.filter((e) => e.method === method && e.path === path);
}

const missing = (i: number) => `/dedicated/server/ns-missing-${i}.example`;

describe('a refused call carries OVH’s class and query id', () => {
  it('takes both from the answer the simulator sent for it, message unchanged', async () => {
    const path = `/dedicated/server/${DEFAULT_SERVER}/reinstall`;
    const error = await failure(
      transport('POST', path, { operatingSystem: 'byoi_64', customizations: { imageType: 'raw' } }),
    );
    const [answer] = sent('POST', path);
    expect(answer?.status).toBe(400);
    expect(error).toMatchObject({
      status: 400,
      kind: 'http',
      ovhClass: 'Client::BadRequest::CustomizationInvalidFormat',
      queryId: answer?.queryId,
      message: (answer?.body as { message: string }).message,
    });
    expect(error.queryId).toMatch(/^EU\.ext-/);
  });

  it('gives 16 parallel failing calls, answered in reverse order, each its own id', async () => {
    const n = 16;
    for (let i = 0; i < n; i++) {
      // The first sent is answered last.
      sim.admin.injectFault({ method: 'GET', path: missing(i), latencyMs: (n - i) * 10 });
    }
    const calls = Array.from({ length: n }, (_, i) => failure(transport('GET', missing(i))));
    // Successes in between, on the same agent at the same time, take nothing from them.
    const successes = Array.from({ length: 4 }, () =>
      transport('GET', `/dedicated/server/${DEFAULT_SERVER}`),
    );
    const [errors] = await Promise.all([Promise.all(calls), Promise.all(successes)]);

    const answeredOrder = exchanges
      .filter((e) => e.status === 404)
      .map((e) => Number(/ns-missing-(\d+)/.exec(e.path)?.[1]));
    expect(answeredOrder).toHaveLength(n);
    expect(answeredOrder).not.toEqual([...answeredOrder].sort((a, b) => a - b));
    errors.forEach((error, i) => {
      const [answer] = sent('GET', missing(i));
      expect(error.queryId, `call ${i}`).toBe(answer?.queryId);
      expect(error.ovhClass).toBe('Client::NotFound');
      expect(error.message).toContain(`ns-missing-${i}.example`);
    });
    expect(new Set(errors.map((e) => e.queryId)).size).toBe(n);
  });

  it('keeps ids apart on one kept-alive socket that carries failures and successes in turn', async () => {
    const seen: { reused: boolean; socket: Socket | null }[] = [];
    const onStart = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      seen.push({ reused: request.reusedSocket, socket: request.socket });
    };
    subscribe('http.client.request.start', onStart);
    try {
      const errors: OvhError[] = [];
      for (let i = 0; i < 6; i++) {
        errors.push(await failure(transport('GET', missing(i))));
        await transport('GET', `/dedicated/server/${LEGACY_SERVER}`);
      }
      expect(seen).toHaveLength(12);
      expect(seen.every((s) => s.reused)).toBe(true);
      expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
      errors.forEach((error, i) => {
        expect(error.queryId, `call ${i}`).toBe(sent('GET', missing(i))[0]?.queryId);
      });
    } finally {
      unsubscribe('http.client.request.start', onStart);
    }
  });

  it('gives a retried read the id of its last attempt', async () => {
    const path = `/dedicated/server/${DEFAULT_SERVER}`;
    sim.admin.injectFault({ method: 'GET', path, status: 500 });
    const api = new OvhApi({
      transport,
      concurrency: 4,
      cacheTtlMs: 0,
      retry: { maxRetries: 2, baseDelayMs: 1 },
    });
    const error = await failure(api.getServer(DEFAULT_SERVER));
    const attempts = sent('GET', path);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.queryId)).size).toBe(3);
    expect(error).toMatchObject({
      status: 500,
      ovhClass: 'Server::InternalServerError',
      queryId: attempts[2]?.queryId,
      rule: 'GET /dedicated/server/*',
    });
  });

  it('reads no class from a body longer than the bound, and keeps the id and the message', async () => {
    const path = `/dedicated/server/${DEFAULT_SERVER}/install/start`;
    const templateName = 'x'.repeat(MAX_ERROR_BODY_BYTES + 1);
    const error = await failure(transport('POST', path, { templateName }));
    expect(error.status).toBe(404);
    expect(error.ovhClass).toBeUndefined();
    expect(error.queryId).toBe(sent('POST', path)[0]?.queryId);
    expect(error.message).toContain(templateName);
  });

  it('gives a timeout no id, and hands its late answer to no later call', async () => {
    const slow = `/dedicated/server/${LEGACY_SERVER}`;
    sim.admin.injectFault({ method: 'GET', path: slow, latencyMs: 150, status: 503 });
    const hurried = connect(50);
    const timedOut = await failure(hurried('GET', slow));
    expect(timedOut).toMatchObject({ kind: 'timeout', queryId: undefined });
    // Asked while the late 503 is on its way, answered after it.
    sim.admin.injectFault({ method: 'GET', path: missing(1), latencyMs: 200 });
    const later = await failure(transport('GET', missing(1)));
    expect(sent('GET', slow)).toHaveLength(1);
    expect(later).toMatchObject({ status: 404, queryId: sent('GET', missing(1))[0]?.queryId });
  });
});

describe('what tracing costs a successful call', () => {
  it('listens to the body of an error answer only, never to a success', async () => {
    // Subscribed after the trace's own listener (the first traced call subscribed it), so this
    // sees what the trace attached before node-ovh's 'response' handler runs.
    const listeners: { status: number | undefined; data: number }[] = [];
    const onResponse = (message: unknown) => {
      const { response } = message as { response: IncomingMessage };
      listeners.push({ status: response.statusCode, data: response.listenerCount('data') });
    };
    subscribe('http.client.response.finish', onResponse);
    try {
      await transport('GET', '/dedicated/server');
      await transport('GET', `/dedicated/server/${DEFAULT_SERVER}`);
      await failure(transport('GET', missing(1)));
    } finally {
      unsubscribe('http.client.response.finish', onResponse);
    }
    expect(listeners).toEqual([
      { status: 200, data: 0 },
      { status: 200, data: 0 },
      { status: 404, data: 1 },
    ]);
  });
});
