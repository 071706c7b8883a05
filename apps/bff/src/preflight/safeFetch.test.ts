import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAddressGuard, type Resolver } from './addressGuard.ts';
import { FetchError, GuardError } from './errors.ts';
import { createSafeFetch } from './safeFetch.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  port: number;
}

/** Two local servers (two origins) that record what reached them. */
const seen: Seen[] = [];
let a: http.Server;
let b: http.Server;
let tlsServer: https.Server;
let aPort = 0;
let bPort = 0;
let tlsPort = 0;
let cert = '';
const big = Buffer.alloc(4 * 1024 * 1024, 7);

function handler(port: () => number): http.RequestListener {
  return (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, port: port() });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/redirect') {
      res.writeHead(Number(url.searchParams.get('status') ?? 302), {
        location: url.searchParams.get('to') ?? '/',
      });
      res.end();
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (url.pathname === '/big') {
      res.writeHead(200, { 'content-length': big.length });
      res.end(req.method === 'HEAD' ? undefined : big);
    } else if (url.pathname === '/silent') {
      // Never answers: the timeout must end it.
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    }
  };
}

const listen = (server: http.Server | https.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  a = http.createServer(handler(() => aPort));
  b = http.createServer(handler(() => bPort));
  aPort = await listen(a);
  bPort = await listen(b);
  const dir = mkdtempSync(join(tmpdir(), 'safefetch-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=images.test',
      '-addext',
      'subjectAltName=DNS:images.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  tlsServer = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert },
    handler(() => tlsPort),
  );
  tlsPort = await listen(tlsServer);
});

afterAll(() => {
  a.closeAllConnections();
  b.closeAllConnections();
  tlsServer.closeAllConnections();
  a.close();
  b.close();
  tlsServer.close();
});

beforeEach(() => {
  seen.length = 0;
});

// 'images.test' and 'other.test' both live on loopback; the resolver is the only DNS here.
const resolver: Resolver = (host) => {
  if (host === 'images.test' || host === 'other.test') {
    return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
  }
  if (host === 'rebind.test') return Promise.resolve([{ address: '10.0.0.1', family: 4 }]);
  return Promise.reject(new Error('ENOTFOUND'));
};
const guard = createAddressGuard({ allowHosts: [], allowLoopback: true, resolver });
const safeFetch = createSafeFetch({ guard, timeoutMs: 1000, ca: undefined });
const secret = { name: 'Authorization', value: 'Basic c2VjcmV0OnNlY3JldA==' };

describe('safeFetch', () => {
  it('connects to the checked address while keeping the host name in Host', async () => {
    const res = await safeFetch(`http://images.test:${aPort}/file`);
    expect(res.status).toBe(200);
    expect(res.address).toBe('127.0.0.1');
    expect(res.tls).toBeNull();
    expect((await res.readPrefix(100)).toString()).toBe('hello');
    expect(seen[0]?.headers.host).toBe(`images.test:${aPort}`);
  });

  it('sends HEAD and Range as asked', async () => {
    const head = await safeFetch(`http://127.0.0.1:${aPort}/big`, { method: 'HEAD' });
    head.discard();
    expect(head.headers['content-length']).toBe(String(big.length));
    const ranged = await safeFetch(`http://127.0.0.1:${aPort}/file`, {
      range: { start: 0, end: 1023 },
    });
    ranged.discard();
    expect(seen.map((s) => [s.method, s.headers.range])).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-1023'],
    ]);
  });

  it('follows same-origin redirects with the headers and drops them on a cross-origin hop', async () => {
    const to = encodeURIComponent(`http://other.test:${bPort}/file`);
    const res = await safeFetch(
      `http://images.test:${aPort}/redirect?to=${encodeURIComponent(`/redirect?to=${to}`)}`,
      { headers: [secret] },
    );
    res.discard();
    expect(res.status).toBe(200);
    expect(res.url).toBe(`http://other.test:${bPort}/file`);
    expect(res.redirects).toHaveLength(2);
    expect(seen.map((s) => [s.port, s.headers.authorization])).toEqual([
      [aPort, secret.value],
      [aPort, secret.value],
      [bPort, undefined],
    ]);
  });

  it('guards every redirect hop: a redirect to a forbidden address is refused before connecting', async () => {
    const strict = createSafeFetch({
      guard: createAddressGuard({ allowHosts: ['images.test'], allowLoopback: false, resolver }),
    });
    const requests: unknown[] = [];
    const onRequest = (m: unknown) => requests.push(m);
    subscribe('http.client.request.start', onRequest);
    try {
      const error = await strict(
        `http://images.test:${aPort}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GuardError);
      expect((error as GuardError).message).toContain('169.254.169.254 is a link-local address');
      // Only the first hop was ever requested.
      expect(requests).toHaveLength(1);
      expect(seen).toHaveLength(1);
      const rebind = await strict(
        `http://images.test:${aPort}/redirect?to=${encodeURIComponent(`http://rebind.test:${aPort}/`)}`,
      ).catch((e: unknown) => e);
      expect((rebind as GuardError).message).toContain('rebind.test resolves to 10.0.0.1');
      expect(requests).toHaveLength(2);
    } finally {
      unsubscribe('http.client.request.start', onRequest);
    }
  });

  it('stops after 5 redirects', async () => {
    const error = await safeFetch(`http://127.0.0.1:${aPort}/loop`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).kind).toBe('too-many-redirects');
    expect(seen).toHaveLength(6);
  });

  it('refuses a redirect to another scheme', async () => {
    const error = await safeFetch(
      `http://127.0.0.1:${aPort}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`,
    ).catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('bad-redirect');
    expect((error as FetchError).message).toContain('file: URL');
  });

  it('keeps HEAD through a 303 but turns GET-ranged requests into GET', async () => {
    const res = await safeFetch(`http://127.0.0.1:${aPort}/redirect?status=303&to=/file`, {
      method: 'HEAD',
    });
    res.discard();
    expect(seen.map((s) => s.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('times out a host that never answers', async () => {
    const error = await safeFetch(`http://127.0.0.1:${aPort}/silent`).catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('timeout');
    expect((error as FetchError).message).toContain('did not answer within 1 s');
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const error = await safeFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('connect');
    expect((error as FetchError).message).toBe('127.0.0.1 refused the connection.');
  });

  it('reads only the prefix asked for, even when the server sends everything', async () => {
    const res = await safeFetch(`http://127.0.0.1:${aPort}/big`, { maxBytes: big.length });
    const prefix = await res.readPrefix(1024);
    expect(prefix.length).toBe(1024);
    expect(res.bytesReceived()).toBeLessThan(big.length);
  });

  it('fails the body past maxBytes', async () => {
    const res = await safeFetch(`http://127.0.0.1:${aPort}/big`, { maxBytes: 1000 });
    const chunks: Buffer[] = [];
    const error = await (async () => {
      for await (const c of res.body as AsyncIterable<Buffer>) chunks.push(c);
    })().catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('too-large');
    expect(Buffer.concat(chunks).length).toBeLessThanOrEqual(1000);
  });

  it('can be cancelled with an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = safeFetch(`http://127.0.0.1:${aPort}/silent`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('aborted');
  });

  it('verifies TLS, reports it, and keeps SNI on the host name', async () => {
    const trusting = createSafeFetch({ guard, ca: cert });
    const res = await trusting(`https://images.test:${tlsPort}/file`);
    res.discard();
    expect(res.tls).toMatchObject({ authorized: true });
    expect(res.tls?.protocol).toMatch(/^TLSv1\.[23]$/);

    const untrusting = await safeFetch(`https://images.test:${tlsPort}/file`).catch(
      (e: unknown) => e,
    );
    expect((untrusting as FetchError).kind).toBe('tls');
    expect((untrusting as FetchError).message).toContain('not signed by a trusted authority');

    const wrongName = await trusting(`https://other.test:${tlsPort}/file`).catch((e: unknown) => e);
    expect((wrongName as FetchError).kind).toBe('tls');
    expect((wrongName as FetchError).message).toContain('certificate is for another host name');
  });

  it('never puts header values in its errors', async () => {
    const error = await safeFetch(`http://127.0.0.1:${aPort}/silent`, { headers: [secret] }).catch(
      (e: unknown) => e,
    );
    expect(JSON.stringify(error)).not.toContain(secret.value);
    expect(String(error)).not.toContain(secret.value);
  });
});
