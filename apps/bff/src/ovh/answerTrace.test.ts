/**
 * The trace on its own: what it attributes (node-ovh's own time fetch, then the call), what it
 * refuses to attribute (two requests at once, untraced requests), and what it lets through of an
 * answer's header and body.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import ovh from '@ovhcloud/node-ovh';
import { startSimulator, type ApiExchange, type Simulator } from '@byoi/ovh-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnswerTrace, tracesInFlight } from './answerTrace.ts';
import { trustCertificate } from './connect.ts';

let sim: Simulator;
const exchanges: ApiExchange[] = [];
beforeAll(async () => {
  sim = await startSimulator({ onResponse: (exchange) => exchanges.push(exchange) });
  trustCertificate(sim.ca);
});
afterAll(() => sim.close());
beforeEach(() => {
  exchanges.length = 0;
});

/** A plain GET, answered and read to the end. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    client
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

async function settled(call: PromiseLike<unknown>): Promise<void> {
  try {
    await call;
  } catch {
    // Only the trace is under test.
  }
}

describe('AnswerTrace', () => {
  it("reports the call's answer, not that of the time fetch node-ovh makes before it", async () => {
    const client = ovh({
      appKey: sim.applicationKey,
      appSecret: sim.applicationSecret,
      consumerKey: sim.consumerKey,
      host: '127.0.0.1',
      port: sim.port,
      basePath: '/1.0',
    });
    expect(client.apiTimeDiff).toBeNull();
    const trace = new AnswerTrace();
    await settled(trace.run(() => client.requestPromised('GET', '/dedicated/server/ns-none.eu')));
    const answer = trace.finish();
    expect(exchanges.map((e) => `${e.status} ${e.path}`)).toEqual([
      '200 /auth/time',
      '404 /dedicated/server/ns-none.eu',
    ]);
    expect(answer).toEqual({
      status: 404,
      queryId: exchanges[1]?.queryId,
      ovhClass: 'Client::NotFound',
    });
  });

  it('reports nothing when two requests run at once in its context: it cannot tell whose is whose', async () => {
    const trace = new AnswerTrace();
    await trace.run(() => Promise.all([get(`${sim.url}/nope`), get(`${sim.url}/auth/time`)]));
    expect(exchanges).toHaveLength(2);
    expect(trace.finish()).toBeUndefined();
  });

  it('takes nothing once finished, and leaves untraced requests alone', async () => {
    const trace = new AnswerTrace();
    expect(trace.finish()).toBeUndefined();
    const dataListeners: number[] = [];
    const onResponse = (message: unknown) => {
      dataListeners.push((message as { response: IncomingMessage }).response.listenerCount('data'));
    };
    subscribe('http.client.response.finish', onResponse);
    try {
      await trace.run(() => get(`${sim.url}/nope`));
      await get(`${sim.url}/nope`);
    } finally {
      unsubscribe('http.client.response.finish', onResponse);
    }
    expect(trace.finish()).toBeUndefined();
    expect(dataListeners).toEqual([0, 0]);
  });

  it('tracks async context only while a traced call is in flight, and again for the next one', async () => {
    expect(tracesInFlight()).toBe(0);
    const first = new AnswerTrace();
    const second = new AnswerTrace();
    const one = first.run(() => get(`${sim.url}/auth/time`));
    const two = second.run(() => get(`${sim.url}/nope`));
    expect(tracesInFlight()).toBe(2);
    await one;
    expect(first.finish()?.status).toBe(200);
    expect(first.finish()?.status).toBe(200); // finishing twice counts once
    expect(tracesInFlight()).toBe(1);
    await two;
    expect(second.finish()?.status).toBe(404);
    expect(tracesInFlight()).toBe(0);
    // The storage was disabled with the last one; the next trace enables it and sees its request.
    const third = new AnswerTrace();
    await third.run(() => get(`${sim.url}/auth/time`));
    expect(third.finish()?.status).toBe(200);
    expect(tracesInFlight()).toBe(0);
  });

  describe('against an answer that is not what OVH sends', () => {
    let server: http.Server;
    let headers: Record<string, string> = {};
    let body = '';
    beforeAll(async () => {
      server = http.createServer((_req, res) => {
        res.writeHead(400, { 'Content-Type': 'application/json', ...headers });
        res.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    async function traced(): Promise<ReturnType<AnswerTrace['finish']>> {
      const trace = new AnswerTrace();
      const { port } = server.address() as AddressInfo;
      await trace.run(() => get(`http://127.0.0.1:${port}/`));
      return trace.finish();
    }

    it('drops a query id or a class that could not be one', async () => {
      headers = { 'X-Ovh-QueryID': 'EU.ext-1 <script>' };
      body = JSON.stringify({ class: 'Client::BadRequest"; drop', message: 'm' });
      expect(await traced()).toEqual({ status: 400 });
      headers = { 'X-Ovh-QueryID': `EU.${'a'.repeat(200)}` };
      body = JSON.stringify({ class: 'C'.repeat(201), message: 'm' });
      expect(await traced()).toEqual({ status: 400 });
    });

    it('reads no class from a body that is not JSON, or has none', async () => {
      headers = { 'X-Ovh-QueryID': 'EU.ext-2.66a1f2c3.1.abc' };
      body = '<html>Bad gateway</html>';
      expect(await traced()).toEqual({ status: 400, queryId: 'EU.ext-2.66a1f2c3.1.abc' });
      body = JSON.stringify({ errorCode: 'INVALID_SIGNATURE', message: 'Invalid signature' });
      expect(await traced()).toEqual({ status: 400, queryId: 'EU.ext-2.66a1f2c3.1.abc' });
    });
  });
});
