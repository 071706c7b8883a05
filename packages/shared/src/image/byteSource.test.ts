import { readFile } from 'node:fs/promises';
import { ensureImages } from '@byoi/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BLOCK_SIZE,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_READS,
  ReadBudgetExceeded,
  boundedSource,
  memorySource,
} from './byteSource.ts';
import type { ByteSource } from './byteSource.ts';

const KiB = 1024;
const BLOCK = DEFAULT_BLOCK_SIZE;

let image: Uint8Array;

beforeAll(async () => {
  const kit = await ensureImages();
  image = new Uint8Array(await readFile(kit.images['raw-gpt'].path));
});

/** The real image in memory, recording each request it answers. */
function recording(bytes: Uint8Array, size: number | null = bytes.byteLength) {
  const requests: [offset: number, length: number][] = [];
  const source: ByteSource = {
    size,
    read(offset, length) {
      requests.push([offset, length]);
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
  };
  return { source, requests };
}

describe('boundedSource', () => {
  it('states its defaults: 48 reads, 8 MiB, 64 KiB blocks', () => {
    expect([DEFAULT_MAX_READS, DEFAULT_MAX_BYTES, DEFAULT_BLOCK_SIZE]).toEqual([
      48,
      8 * 1024 * KiB,
      64 * KiB,
    ]);
  });

  it('returns the bytes of the image for reads across block boundaries and at the end', async () => {
    const bounded = boundedSource(recording(image).source);
    const size = image.byteLength;
    for (const [offset, length] of [
      [0, 512],
      [BLOCK - 10, 20],
      [3 * BLOCK + 5, 2 * BLOCK + 7],
      [size - 100, 100],
      [size - 100, 1000],
      [size, 10],
      [size + 5000, 10],
      [123, 0],
    ] as const) {
      expect(await bounded.read(offset, length)).toEqual(image.slice(offset, offset + length));
    }
  });

  it('fetches aligned blocks once: many small reads of one block make one request', async () => {
    const { source, requests } = recording(image);
    const bounded = boundedSource(source);
    for (let at = 0; at < 4 * KiB; at += 32) await bounded.read(BLOCK + at, 32);
    expect(requests).toEqual([[BLOCK, BLOCK]]);
    expect(bounded.stats()).toEqual({ reads: 1, bytes: BLOCK, cacheHits: 127 });
  });

  it('coalesces the missing blocks of one read into runs, one request per run', async () => {
    const { source, requests } = recording(image);
    const bounded = boundedSource(source);
    await bounded.read(2 * BLOCK, 10);
    await bounded.read(BLOCK + 1, 3 * BLOCK);
    expect(requests).toEqual([
      [2 * BLOCK, BLOCK],
      [BLOCK, BLOCK],
      [3 * BLOCK, 2 * BLOCK],
    ]);
  });

  it('clamps the last request to the known size', async () => {
    const { source, requests } = recording(image.subarray(0, BLOCK + 100));
    const bounded = boundedSource(source);
    expect((await bounded.read(BLOCK, 1000)).byteLength).toBe(100);
    expect(requests).toEqual([[BLOCK, 100]]);
    expect(bounded.stats().bytes).toBe(100);
  });

  it('reads a source of unknown size up to where its bytes end', async () => {
    const { source } = recording(image.subarray(0, BLOCK + 100), null);
    const bounded = boundedSource(source);
    expect(bounded.size).toBeNull();
    expect(await bounded.read(BLOCK - 4, 200)).toEqual(image.slice(BLOCK - 4, BLOCK + 100));
    expect(await bounded.read(3 * BLOCK, 10)).toEqual(new Uint8Array(0));
  });

  it('refuses the request that would pass maxReads, naming the limit, and still serves the cache', async () => {
    const { source, requests } = recording(image);
    const bounded = boundedSource(source, { maxReads: 2 });
    await bounded.read(0, 10);
    await bounded.read(BLOCK, 10);
    const err = await bounded.read(2 * BLOCK, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadBudgetExceeded);
    expect(err).toMatchObject({ limit: 'reads', max: 2, needed: 3 });
    expect((err as Error).message).toBe(
      'Reading the image needed more than 2 requests (request 3 was refused).',
    );
    expect(requests).toHaveLength(2);
    expect(await bounded.read(5, 5)).toEqual(image.slice(5, 10));
  });

  it('refuses a request that would pass maxBytes before asking the source', async () => {
    const { source, requests } = recording(image);
    const bounded = boundedSource(source, { maxBytes: 100 * KiB });
    await bounded.read(0, 10);
    const err = await bounded.read(BLOCK, 10).catch((e: unknown) => e);
    expect(err).toMatchObject({ limit: 'bytes', max: 100 * KiB, needed: 2 * BLOCK });
    expect((err as Error).message).toBe(
      `Reading the image needed more than ${100 * KiB} bytes (${2 * BLOCK} bytes would have been fetched).`,
    );
    const huge = await boundedSource(source, { maxBytes: 1024 * KiB })
      .read(0, 1024 * 1024 * KiB)
      .catch((e: unknown) => e);
    expect(huge).toMatchObject({ limit: 'bytes', needed: image.byteLength });
    expect(requests).toHaveLength(1);
  });

  it('shares one request between concurrent readers of a block', async () => {
    const { source, requests } = recording(image);
    const bounded = boundedSource(source);
    const [a, b] = await Promise.all([bounded.read(100, 10), bounded.read(200, 10)]);
    expect([a, b]).toEqual([image.slice(100, 110), image.slice(200, 210)]);
    expect(requests).toHaveLength(1);
  });

  it('forgets a failed request, so a later read asks again (and counts again)', async () => {
    let failures = 1;
    const flaky: ByteSource = {
      size: image.byteLength,
      read(offset, length) {
        if (failures-- > 0) return Promise.reject(new Error('connection reset'));
        return Promise.resolve(image.slice(offset, offset + length));
      },
    };
    const bounded = boundedSource(flaky);
    await expect(bounded.read(0, 10)).rejects.toThrow('connection reset');
    expect(await bounded.read(0, 10)).toEqual(image.slice(0, 10));
    expect(bounded.stats().reads).toBe(2);
  });

  it('copies out of its cache, so a caller that writes into a result cannot corrupt it', async () => {
    const bounded = boundedSource(memorySource(image));
    const first = await bounded.read(0, 16);
    first.fill(0xaa);
    expect(await bounded.read(0, 16)).toEqual(image.slice(0, 16));
  });

  it('rejects offsets, lengths and block sizes that make no sense', async () => {
    const bounded = boundedSource(memorySource(image));
    await expect(bounded.read(-1, 10)).rejects.toThrow(RangeError);
    await expect(bounded.read(0, 1.5)).rejects.toThrow(RangeError);
    expect(() => boundedSource(memorySource(image), { blockSize: 1000 })).toThrow(RangeError);
  });
});
