import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer } from './httpServer.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Serves `app` from `server`; reports the prototypes each request and response arrived with. */
async function arrivals(server: http.Server) {
  const seen: { req: object | null; res: object | null } = { req: null, res: null };
  // Prepended: runs before Express's own handler touches the objects.
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.req = Object.getPrototypeOf(req) as object;
    seen.res = Object.getPrototypeOf(res) as object;
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const answer = await fetch(`http://127.0.0.1:${port}/hello?x=1`);
  return { seen, status: answer.status, body: await answer.json() };
}

function app() {
  const a = express();
  a.get('/hello', (req, res) => {
    res.json({ path: req.path, query: req.query, sameApp: req.app === a });
  });
  return a;
}

describe('createHttpServer', () => {
  it("builds requests and responses with the app's prototypes from the start", async () => {
    const a = app();
    const { seen, status, body } = await arrivals(createHttpServer(a));
    expect(seen.req).toBe(a.request);
    expect(seen.res).toBe(a.response);
    // Still Node's objects, and Express works on them as usual.
    expect(a.request).toBeInstanceOf(http.IncomingMessage);
    expect(a.response).toBeInstanceOf(http.ServerResponse);
    expect(status).toBe(200);
    expect(body).toEqual({ path: '/hello', query: { x: '1' }, sameApp: true });
  });

  it('differs from a plain server, whose objects Express re-prototypes on arrival', async () => {
    const a = app();
    const { seen, status } = await arrivals(http.createServer(a));
    expect(seen.req).toBe(http.IncomingMessage.prototype);
    expect(seen.res).toBe(http.ServerResponse.prototype);
    expect(status).toBe(200);
  });
});
