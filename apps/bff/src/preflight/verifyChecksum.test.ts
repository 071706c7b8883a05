import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard } from './addressGuard.ts';
import { FetchError } from './errors.ts';
import { createSafeFetch } from './safeFetch.ts';
import { verifyChecksum, type VerifyProgress } from './verifyChecksum.ts';

const data = Buffer.alloc(3 * 1024 * 1024);
for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404).end('no');
    } else if (req.url === '/slow') {
      res.writeHead(200, { 'content-length': data.length });
      res.write(data.subarray(0, 1024));
      // …and never the rest: the caller has to cancel.
    } else {
      res.writeHead(200, { 'content-length': data.length }).end(data);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const fetch = createSafeFetch({
  guard: createAddressGuard({ allowHosts: [], allowLoopback: true }),
});

describe('verifyChecksum', () => {
  it.each(['md5', 'sha1', 'sha256', 'sha512'] as const)(
    'hashes the whole body with %s',
    async (type) => {
      const result = await verifyChecksum({ fetch, url: `${base}/image`, type, maxBytes: 1e9 });
      expect(result).toEqual({
        checksum: createHash(type).update(data).digest('hex'),
        type,
        bytes: data.length,
        finalURL: `${base}/image`,
      });
    },
  );

  it('reports progress throttled, with rate and ETA, and a final report', async () => {
    let clock = 0;
    const reports: VerifyProgress[] = [];
    await verifyChecksum({
      fetch,
      url: `${base}/image`,
      type: 'sha256',
      maxBytes: 1e9,
      progressIntervalMs: 1000,
      // Each reading of the clock advances it 100 ms: a report at most every 10 chunks.
      now: () => (clock += 100),
      onProgress: (p) => reports.push(p),
    });
    const last = reports.at(-1);
    expect(last).toMatchObject({ bytes: data.length, total: data.length, etaSeconds: 0 });
    expect(last?.rateBytesPerSec).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(1);
    for (const r of reports.slice(0, -1)) {
      expect(r.etaSeconds).not.toBeNull();
      expect(r.bytes).toBeLessThan(data.length);
    }
  });

  it('reports the whole download once, at the end, even when the interval ends on its last chunk', async () => {
    const reports: VerifyProgress[] = [];
    let clock = 0;
    await verifyChecksum({
      fetch,
      url: `${base}/image`,
      type: 'sha256',
      maxBytes: 1e9,
      progressIntervalMs: 1000,
      // Every reading of the clock is an interval later: each chunk is due a report.
      now: () => (clock += 1000),
      onProgress: (p) => reports.push(p),
    });
    expect(reports.filter((r) => r.bytes === data.length)).toHaveLength(1);
    expect(reports.at(-1)?.bytes).toBe(data.length);
  });

  it('reports only at the end when the interval is longer than the download', async () => {
    const reports: VerifyProgress[] = [];
    await verifyChecksum({
      fetch,
      url: `${base}/image`,
      type: 'md5',
      maxBytes: 1e9,
      progressIntervalMs: 3_600_000,
      onProgress: (p) => reports.push(p),
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.bytes).toBe(data.length);
  });

  it('stops past maxBytes, as OVH would past RAM − 3 GiB', async () => {
    const error = await verifyChecksum({
      fetch,
      url: `${base}/image`,
      type: 'sha256',
      maxBytes: 1024 * 1024,
    }).catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('too-large');
  });

  it('fails on an HTTP error status', async () => {
    const error = await verifyChecksum({
      fetch,
      url: `${base}/missing`,
      type: 'sha256',
      maxBytes: 1e9,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).message).toBe('The image host answered HTTP 404 to the download.');
  });

  it('is cancelled by its AbortSignal mid-download', async () => {
    const controller = new AbortController();
    const pending = verifyChecksum({
      fetch,
      url: `${base}/slow`,
      type: 'sha256',
      maxBytes: 1e9,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const error = await pending.catch((e: unknown) => e);
    expect((error as FetchError).kind).toBe('aborted');
  });
});
