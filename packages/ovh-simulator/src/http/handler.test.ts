import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { client, plainCall, rawCall, rejection, startTrusted } from '../../test/helpers.ts';
import type { RawResponse } from '../../test/helpers.ts';
import { DEFAULT_SERVER } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';
import type { ApiExchange } from './handler.ts';
import { answerDue, isLoopback, newQueryId } from './handler.ts';

describe('answerDue: the latency counts from arrival, the work of the answer within it', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether `due` has settled after each of `steps` (ms), in turn. */
  async function settledAt(due: () => Promise<void>, steps: number[]): Promise<boolean[]> {
    let settled = false;
    void due().then(() => {
      settled = true;
    });
    const seen: boolean[] = [];
    for (const ms of steps) {
      await vi.advanceTimersByTimeAsync(ms);
      seen.push(settled);
    }
    return seen;
  }

  it('sends the answer once the latency has passed since arrival, work included', async () => {
    const due = answerDue(50);
    vi.advanceTimersByTime(30); // the work of the answer
    expect(await settledAt(due, [19, 1])).toEqual([false, true]);
  });

  it('sends at once when the work took longer than the latency', async () => {
    const due = answerDue(50);
    vi.advanceTimersByTime(80);
    expect(await settledAt(due, [0])).toEqual([true]);
  });

  it('waits nothing without latency', async () => {
    expect(await settledAt(answerDue(0), [0])).toEqual([true]);
  });
});

describe('isLoopback (who may use the /_sim admin API)', () => {
  it('accepts IPv4 loopback, IPv6 loopback and IPv4-mapped loopback', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address)).toBe(true);
    }
  });

  it('refuses every other address, and an unknown one', () => {
    for (const address of [
      '10.0.0.1',
      '192.168.1.10',
      '::ffff:10.0.0.1',
      'fe80::1',
      '::',
      undefined,
    ]) {
      expect(isLoopback(address)).toBe(false);
    }
  });
});

/** OVH's shape: region and gateway, the time in hex, a sequence number, a random part. */
const OVH_QUERY_ID = /^EU\.ext-[1-9]\.[0-9a-f]{8}\.\d+\.[0-9a-f]{32}$/;
const queryIdOf = (res: RawResponse) => res.headers['x-ovh-queryid'];

describe('X-Ovh-QueryID and error bodies, as OVH answers them', () => {
  let sim: Simulator;
  let close: () => Promise<void>;
  const exchanges: ApiExchange[] = [];
  beforeAll(async () => {
    ({ sim, close } = await startTrusted({ onResponse: (e) => exchanges.push(e) }));
  });
  afterAll(() => close());
  beforeEach(() => sim.admin.reset());

  it('makes ids in OVH’s shape, each one new', () => {
    const ids = Array.from({ length: 50 }, () => newQueryId(Date.UTC(2026, 11, 1)));
    for (const id of ids) expect(id).toMatch(OVH_QUERY_ID);
    expect(ids[0]).toContain(`.${(Date.UTC(2026, 11, 1) / 1000).toString(16)}.`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts a fresh id on every OVH API answer: successes, API errors, auth errors, unknown paths', async () => {
    const answers = [
      await rawCall(sim, 'GET', '/auth/time', { sign: false }),
      await rawCall(sim, 'GET', '/dedicated/server'),
      await rawCall(sim, 'GET', '/dedicated/server'),
      await rawCall(sim, 'GET', '/dedicated/server/ns-none.example'),
      await rawCall(sim, 'DELETE', '/dedicated/server'),
      await rawCall(sim, 'GET', '/no/such/route'),
      await rawCall(sim, 'GET', '/dedicated/server', { signedBody: 'tampered' }),
      await plainCall(sim, 'GET', '/not-the-api'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 404, 405, 404, 400, 404]);
    const ids = answers.map(queryIdOf);
    for (const id of ids) expect(id).toMatch(OVH_QUERY_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps `{ class, message }` as the body of API errors, next to the id', async () => {
    sim.admin.injectFault({ method: 'GET', path: '/dedicated/server', status: 503, times: 1 });
    const cases: [RawResponse, string][] = [
      [await rawCall(sim, 'GET', '/dedicated/server/ns-none.example'), 'Client::NotFound'],
      [await rawCall(sim, 'DELETE', '/dedicated/server'), 'Client::MethodNotAllowed'],
      [await rawCall(sim, 'GET', '/dedicated/server'), 'Server::InternalServerError'],
      [
        await rawCall(sim, 'POST', `/dedicated/server/${DEFAULT_SERVER}/reinstall`, {
          body: { operatingSystem: 'byoi_64', customizations: { imageType: 'raw' } },
        }),
        'Client::BadRequest::CustomizationInvalidFormat',
      ],
    ];
    for (const [answer, errorClass] of cases) {
      expect(Object.keys(answer.body as object).sort()).toEqual(['class', 'message']);
      expect(answer.body).toMatchObject({ class: errorClass, message: expect.any(String) });
      expect(queryIdOf(answer)).toMatch(OVH_QUERY_ID);
    }
  });

  it('answers a body too large with a class and an id too', async () => {
    const answer = await rawCall(sim, 'POST', `/dedicated/server/${DEFAULT_SERVER}/reinstall`, {
      rawBody: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ class: 'Client::BadRequest' });
    expect(queryIdOf(answer)).toMatch(OVH_QUERY_ID);
  });

  it('tells onResponse the id it sent', async () => {
    exchanges.length = 0;
    const answer = await rawCall(sim, 'GET', '/dedicated/server/ns-none.example');
    expect(exchanges).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/dedicated/server/ns-none.example',
        status: 404,
        queryId: queryIdOf(answer),
      }),
    ]);
  });

  it("reaches node-ovh, which keeps only the error's message", async () => {
    exchanges.length = 0;
    const failed = await rejection(
      client(sim).requestPromised('GET', '/dedicated/server/ns-none.example'),
    );
    expect(failed).toEqual({
      error: 404,
      message: 'The requested object (serviceName = ns-none.example) does not exist',
    });
    expect(exchanges.at(-1)?.queryId).toMatch(OVH_QUERY_ID);
  });

  it('sends no id on the admin API, which is not OVH’s', async () => {
    const answer = await plainCall(sim, 'GET', '/_sim/calls');
    expect(answer.status).toBe(200);
    expect(queryIdOf(answer)).toBeUndefined();
  });
});
