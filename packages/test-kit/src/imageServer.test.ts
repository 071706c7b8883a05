/** The local image server (imageServer.ts) that the simulator, BFF, bench and e2e tests download from. */
import { ensureImages, startImageServer } from './index.ts';
import type { ImageKit, ImageServer } from './index.ts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let kit: ImageKit;
let server: ImageServer;
let file: string;
let size: number;

beforeAll(async () => {
  kit = await ensureImages();
  server = await startImageServer({ dir: kit.dir, basicAuth: { username: 'u', password: 'p w' } });
  file = kit.images.qcow2.file;
  size = kit.images.qcow2.size;
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const fetchRaw = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

describe('the image server', () => {
  it('serves a file whole with its length and Accept-Ranges, and HEAD without a body', async () => {
    const res = await fetchRaw(`/images/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(res.headers.get('content-length'))).toBe(size);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(kit.images.qcow2.path))).toBe(
      true,
    );
    const head = await fetchRaw(`/images/${file}`, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe(size);
    expect(server.requests.map((r) => [r.method, r.status, r.bytes])).toEqual([
      ['GET', 200, size],
      ['HEAD', 200, 0],
    ]);
    expect(server.bytesServed()).toBe(size);
  });

  it('answers ranges with 206, suffix ranges, and 416 past the end', async () => {
    const part = await fetchRaw(`/images/${file}`, { headers: { Range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-3/${size}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([0x51, 0x46, 0x49, 0xfb]);
    const tail = await fetchRaw(`/images/${file}`, { headers: { Range: 'bytes=-10' } });
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect((await tail.arrayBuffer()).byteLength).toBe(10);
    const past = await fetchRaw(`/images/${file}`, { headers: { Range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('/no-ranges ignores Range and says nothing about ranges; /no-head refuses HEAD', async () => {
    const res = await fetchRaw(`/no-ranges/images/${file}`, { headers: { Range: 'bytes=0-3' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBeNull();
    expect((await res.arrayBuffer()).byteLength).toBe(size);
    expect((await fetchRaw(`/no-head/images/${file}`, { method: 'HEAD' })).status).toBe(405);
    expect((await fetchRaw(`/no-head/images/${file}`)).status).toBe(200);
  });

  it('/auth needs the Basic credentials given at start', async () => {
    const denied = await fetchRaw(`/auth/images/${file}`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Basic');
    expect(server.authorization).toBe(`Basic ${Buffer.from('u:p w').toString('base64')}`);
    const ok = await fetchRaw(`/auth/images/${file}`, {
      headers: { Authorization: server.authorization },
    });
    expect(ok.status).toBe(200);
  });

  it('redirects n times, or to any URL', async () => {
    const res = await fetch(`${server.url}/redirect/3/images/${file}`);
    expect(res.status).toBe(200);
    expect(server.requests.map((r) => r.status)).toEqual([302, 302, 302, 200]);
    server.reset();
    expect((await fetchRaw(`/redirect/0/images/${file}`)).status).toBe(200);
    expect(server.requests.map((r) => r.status)).toEqual([200]);
    const to = await fetchRaw(
      `/redirect-to?url=${encodeURIComponent('https://example.invalid/x.img')}`,
    );
    expect(to.status).toBe(302);
    expect(to.headers.get('location')).toBe('https://example.invalid/x.img');
  });

  it('/slow sends about 1 MiB/s', async () => {
    const started = Date.now();
    const res = await fetchRaw(`/slow/images/${file}`, { headers: { Range: 'bytes=0-524287' } });
    expect((await res.arrayBuffer()).byteLength).toBe(524288);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(0.4);
  });

  it('answers any status with an HTML body, an HTML page with 200, and drops on /drop', async () => {
    const status = await fetchRaw('/status/503');
    expect(status.status).toBe(503);
    expect(status.headers.get('content-type')).toContain('text/html');
    expect(await status.text()).toContain('503 Service Unavailable');
    const html = await fetchRaw('/html');
    expect(html.status).toBe(200);
    expect(await html.text()).toMatch(/^<!DOCTYPE html>/);
    await expect(fetchRaw('/drop')).rejects.toThrow();
  });

  it('serves the kit’s checksum files and nothing outside the directory', async () => {
    expect(await (await fetchRaw('/sums/SHA256SUMS')).text()).toContain(
      `${kit.images.qcow2.sha256}  ${file}`,
    );
    expect(await (await fetchRaw('/sums/SHA512SUMS')).text()).toContain(
      `SHA512 (${file}) = ${kit.images.qcow2.sha512}`,
    );
    expect((await fetchRaw('/images/..%2F..%2Fpackage.json')).status).toBe(404);
    expect((await fetchRaw('/images/.scratch')).status).toBe(404);
    expect((await fetchRaw('/images/missing.img')).status).toBe(404);
  });
});
