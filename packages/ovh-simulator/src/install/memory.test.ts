/**
 * The simulator streams images: a 1 GiB sparse raw image (a real GPT made by sgdisk) never lands in
 * memory, whether it is refused for RAM (by Content-Length, or counted while streaming when the
 * host sends none) or downloaded and hashed whole.
 *
 * Memory is judged by construction, not by sampling the process's RSS (which moves with the GC,
 * TLS buffers and whatever else the test process does, and once failed a run at 69.7 MB against a
 * 64 MiB bound): the download counts the image bytes it holds at once (the kept head, the chunk
 * being hashed and what the socket buffered behind it), and that figure is deterministic. RSS is
 * still checked, against half the image, so that buffering the image anywhere else fails too.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startImageServer } from '@byoi/test-kit';
import type { ImageServer } from '@byoi/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, install, startTrusted } from '../../test/helpers.ts';
import type { OvhClient } from '../../test/helpers.ts';
import { DEFAULT_FIXTURES, DEFAULT_SERVER, SMALL_RAM_SERVER } from '../fixtures.ts';
import { HEAD_BYTES } from './download.ts';
import type { ServerFixture } from '../fixtures.ts';
import type { Simulator } from '../simulator.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const IMAGE_SIZE = GiB;
const FILE = 'big-1g.img';
const RAM_MESSAGE = 'Could not download, raw image is too big to download in memory.';
/** The 1 MiB head kept for sniffing, plus a chunk and a socket's buffer: far below this. */
const HELD_BOUND = HEAD_BYTES + MiB;
/** Catches the image (or a large share of it) held anywhere in the process; no GC noise nears it. */
const RSS_BOUND = IMAGE_SIZE / 2;
/** 5 GiB of RAM: room (RAM − 3 GiB = 2 GiB) for the whole 1 GiB image. */
const ROOMY_SERVER = 'ns7000001.ip-51-91-7.eu';

let dir: string;
let images: ImageServer;
/** Serves the image chunked, without Content-Length, until the client goes away. */
let chunked: http.Server;
let chunkedUrl: string;
let chunkedBytes = 0;
let sim: Simulator;
let c: OvhClient;
let closeSim: () => Promise<void>;
let sha256: string;

/** The most image bytes the server's last download held at once. */
function peakHeld(server: string): number {
  const record = sim.admin.server(server).lastDownload;
  if (!record) throw new Error(`no download recorded for ${server}`);
  return record.peakHeldBytes;
}

/** Peak RSS growth over a baseline while `work` runs, sampled every few ms. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(tmpdir(), 'byoi-sim-memory-'));
  const file = path.join(dir, FILE);
  await fsp.writeFile(file, '');
  await fsp.truncate(file, IMAGE_SIZE);
  await promisify(execFile)('sgdisk', ['--new=1:2048:0', '--typecode=1:8300', file]);
  // The digest the simulator must find, computed independently with sha256sum.
  const { stdout } = await promisify(execFile)('sha256sum', [file]);
  sha256 = stdout.split(' ')[0] ?? '';

  images = await startImageServer({ dir });
  chunked = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const stream = createReadStream(file);
    stream.on('data', (chunk) => (chunkedBytes += chunk.length));
    stream.pipe(res);
    res.on('close', () => stream.destroy());
  });
  await new Promise<void>((resolve) => chunked.listen(0, '127.0.0.1', resolve));
  chunkedUrl = `http://127.0.0.1:${(chunked.address() as AddressInfo).port}/${FILE}`;

  const template = DEFAULT_FIXTURES.find((f) => f.name === DEFAULT_SERVER) as ServerFixture;
  const roomy: ServerFixture = {
    ...template,
    name: ROOMY_SERVER,
    serverId: 7000001,
    hardware: { ...template.hardware, memorySize: { unit: 'MB', value: 5 * 1024 } },
  };
  ({ sim, close: closeSim } = await startTrusted({
    clockSpeed: 1000,
    fixtures: [...DEFAULT_FIXTURES, roomy],
  }));
  c = client(sim);
  // Warm up the TLS, client and engine paths so the baseline is not measured cold.
  await install(c, DEFAULT_SERVER, { imageURL: `${images.url}/status/404`, imageType: 'raw' });
});

afterAll(async () => {
  chunked.closeAllConnections();
  await new Promise<void>((resolve) => chunked.close(() => resolve()));
  await images.close();
  await closeSim();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('a 1 GiB sparse raw image', () => {
  it('is refused for RAM by its Content-Length on the small-RAM server, memory flat', async () => {
    const { result, growth } = await peakRssGrowth(() =>
      install(c, SMALL_RAM_SERVER, { imageURL: `${images.url}/images/${FILE}`, imageType: 'raw' }),
    );
    expect(result.task.status).toBe('customerError');
    expect(result.task.comment).toBe(RAM_MESSAGE);
    // Refused from the header: no image byte was held.
    expect(sim.admin.server(SMALL_RAM_SERVER).lastDownload).toMatchObject({
      outcome: 'tooBig',
      bytes: IMAGE_SIZE,
      peakHeldBytes: 0,
    });
    expect(growth).toBeLessThan(RSS_BOUND);
    expect(images.bytesServed()).toBeLessThan(64 * MiB);
  });

  it('without Content-Length, is counted while streaming and stopped at RAM − 3 GiB, memory flat', async () => {
    const { result, growth } = await peakRssGrowth(() =>
      install(c, SMALL_RAM_SERVER, { imageURL: chunkedUrl, imageType: 'raw' }, 'reinstall'),
    );
    expect(result.task.comment).toBe(RAM_MESSAGE);
    expect(result.steps.find((s) => s.status === 'error')?.comment).toBe('Downloading image');
    expect(sim.admin.server(SMALL_RAM_SERVER).lastDownload?.outcome).toBe('tooBig');
    expect(peakHeld(SMALL_RAM_SERVER)).toBeGreaterThanOrEqual(HEAD_BYTES);
    expect(peakHeld(SMALL_RAM_SERVER)).toBeLessThan(HELD_BOUND);
    expect(growth).toBeLessThan(RSS_BOUND);
    // The simulator hung up soon after its 8 MiB limit, not after 1 GiB.
    expect(chunkedBytes).toBeGreaterThan(8 * MiB);
    expect(chunkedBytes).toBeLessThan(128 * MiB);
  });

  it('is downloaded and hashed whole where RAM allows, memory flat', async () => {
    const { result, growth } = await peakRssGrowth(() =>
      install(
        c,
        ROOMY_SERVER,
        {
          imageURL: `${images.url}/images/${FILE}`,
          imageType: 'raw',
          imageCheckSum: sha256,
          imageCheckSumType: 'sha256',
        },
        'reinstall',
      ),
    );
    expect(result.task.status).toBe('done');
    expect(sim.admin.server(ROOMY_SERVER).lastDownload).toMatchObject({
      outcome: 'ok',
      bytes: IMAGE_SIZE,
    });
    expect(peakHeld(ROOMY_SERVER)).toBeLessThan(HELD_BOUND);
    expect(growth).toBeLessThan(RSS_BOUND);
  });
});
