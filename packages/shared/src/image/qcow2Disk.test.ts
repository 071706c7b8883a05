import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { ensureImages } from '@byoi/test-kit';
import type { ImageKit, ImageName } from '@byoi/test-kit';
import { decompress as zstdDecompress } from 'fzstd';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from './byteSource.ts';
import type { ByteSource } from './byteSource.ts';
import { Qcow2DiskError, openQcow2Disk, zstdFrameLength } from './qcow2Disk.ts';
import type { Decompress } from './qcow2Disk.ts';

const MiB = 1024 * 1024;
const COPIED = 1n << 63n;
const COMPRESSED = 1n << 62n;
const OFFSET_MASK = 0x00ff_ffff_ffff_fe00n;
/** raw-gpt's ESP starts at 1 MiB, its Linux data at 3 MiB. */
const ESP = MiB;

let kit: ImageKit;
let raw: Uint8Array;

beforeAll(async () => {
  kit = await ensureImages();
  raw = new Uint8Array(await readFile(kit.images['raw-gpt'].path));
});

const bytesOf = async (name: ImageName) => new Uint8Array(await readFile(kit.images[name].path));

/** Decoders as a Node caller would inject them, counting the calls by kind. */
function decoders() {
  const calls = { zlib: 0, zstd: 0 };
  const decompress: Decompress = (kind, data, clusterSize) => {
    calls[kind]++;
    return Promise.resolve(
      kind === 'zlib'
        ? new Uint8Array(inflateRawSync(data, { maxOutputLength: clusterSize }))
        : zstdDecompress(data, new Uint8Array(clusterSize)),
    );
  };
  return { calls, decompress };
}

/** A memory source that records the offsets it is asked for. */
function recording(bytes: Uint8Array) {
  const offsets: number[] = [];
  const source: ByteSource = {
    size: bytes.byteLength,
    read(offset, length) {
      offsets.push(offset);
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
  };
  return { source, offsets };
}

/** Where in the file the L2 entry for guest offset `guest` sits, read the way qcow2.txt lays it out. */
function l2EntryAt(file: Uint8Array, guest: number): number {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const clusterSize = 2 ** v.getUint32(20);
  const l1 = Number(v.getBigUint64(40));
  const cluster = Math.floor(guest / clusterSize);
  const perTable = clusterSize / 8;
  const l2 = Number(v.getBigUint64(l1 + 8 * Math.floor(cluster / perTable)) & OFFSET_MASK);
  return l2 + 8 * (cluster % perTable);
}

function entryAt(file: Uint8Array, at: number): bigint {
  return new DataView(file.buffer, file.byteOffset).getBigUint64(at);
}

function withEntry(file: Uint8Array, at: number, value: bigint): Uint8Array {
  const copy = Uint8Array.from(file);
  new DataView(copy.buffer).setBigUint64(at, value);
  return copy;
}

/** Host offset and length of a compressed cluster, from its descriptor (64 KiB clusters). */
function compressedExtent(entry: bigint): { offset: number; length: number } {
  const offsetBits = 62n - (16n - 8n);
  const offset = Number(entry & ((1n << offsetBits) - 1n));
  const sectors = Number((entry >> offsetBits) & 0xffn) + 1;
  return { offset, length: sectors * 512 - (offset % 512) };
}

/** The first offset where two byte arrays differ, or null: deep equality on megabytes is too slow. */
function firstDifference(a: Uint8Array, b: Uint8Array): number | null {
  if (Buffer.from(a).equals(Buffer.from(b))) return null;
  const length = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return length;
}

async function readAll(disk: ByteSource, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += MiB) out.set(await disk.read(at, MiB), at);
  return out;
}

describe('openQcow2Disk', () => {
  it.each([
    ['qcow2', 0, 0],
    ['qcow2-v2', 0, 0],
    ['qcow2-compressed', 1, 0],
    ['qcow2-zstd', 0, 1],
  ] as const)('reads the virtual disk of %s byte for byte as raw-gpt', async (name, zlib, zstd) => {
    const { calls, decompress } = decoders();
    const disk = await openQcow2Disk(memorySource(await bytesOf(name)), { decompress });
    expect(disk.size).toBe(raw.byteLength);
    expect(firstDifference(await readAll(disk, disk.size), raw)).toBeNull();
    // Reads that straddle cluster boundaries, and one past the end of the disk.
    for (const [offset, length] of [
      [ESP + 65_530, 20],
      [3 * MiB - 7, 70_000],
      [disk.size - 10, 100],
    ] as const) {
      expect(await disk.read(offset, length)).toEqual(raw.slice(offset, offset + length));
    }
    expect(calls.zlib > 0).toBe(zlib === 1);
    expect(calls.zstd > 0).toBe(zstd === 1);
  });

  it('reads zero-flag clusters as zeros, with or without a host cluster', async () => {
    const file = await bytesOf('qcow2-zero-clusters');
    const zeroed = [3 * MiB, 3 * MiB + 128 * 1024];
    // qemu-io left one zero cluster allocated (offset kept) and one plain (offset 0), both flagged.
    expect(zeroed.map((g) => entryAt(file, l2EntryAt(file, g)) & 1n)).toEqual([1n, 1n]);
    expect(zeroed.map((g) => (entryAt(file, l2EntryAt(file, g)) & OFFSET_MASK) !== 0n)).toEqual([
      true,
      false,
    ]);
    const expected = Uint8Array.from(raw);
    for (const at of zeroed) {
      expect(raw.subarray(at, at + 65_536).some((b) => b !== 0)).toBe(true);
      expected.fill(0, at, at + 65_536);
    }
    const disk = await openQcow2Disk(memorySource(file));
    expect(firstDifference(await readAll(disk, disk.size), expected)).toBeNull();
  });

  it.each([
    ['qcow2-backing', 'backing-file', /backing file \(base\.qcow2\)/],
    ['qcow2-encrypted', 'encrypted', /encrypted/],
    ['qcow2-extended-l2', 'extended-l2', /extended L2/],
    ['qcow2-external-data', 'external-data', /external data file/],
    ['qcow2-corrupt', 'corrupt', /^The L1 table offset \d+ is not aligned/],
    ['raw-gpt', 'not-qcow2', /not a qcow2 image/],
  ] as const)('refuses %s clearly (%s)', async (name, reason, message) => {
    const err = await openQcow2Disk(memorySource(await bytesOf(name))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Qcow2DiskError);
    expect(err).toMatchObject({ reason });
    expect((err as Error).message).toMatch(message);
  });

  it('says a decoder is missing when a read meets a compressed cluster', async () => {
    const disk = await openQcow2Disk(memorySource(await bytesOf('qcow2-compressed')));
    const err = await disk.read(ESP, 512).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'no-decompressor' });
    expect((err as Error).message).toMatch(/zlib-compressed clusters and no zlib decoder/);
  });

  it('refuses an L2 entry that points past the end of the file', async () => {
    const file = await bytesOf('qcow2');
    const past = BigInt(Math.ceil(file.byteLength / 65_536) + 4) * 65_536n;
    const patched = withEntry(file, l2EntryAt(file, ESP), COPIED | past);
    const disk = await openQcow2Disk(memorySource(patched));
    const err = await disk.read(ESP, 512).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'corrupt' });
    expect((err as Error).message).toBe(
      `The qcow2 data cluster for disk offset ${ESP} lies at bytes ${past}–${past + 65_536n}, past the end of the ${file.byteLength}-byte file.`,
    );
  });

  it('refuses a data cluster offset that is not cluster-aligned', async () => {
    const file = await bytesOf('qcow2');
    const at = l2EntryAt(file, ESP);
    const disk = await openQcow2Disk(memorySource(withEntry(file, at, entryAt(file, at) + 512n)));
    await expect(disk.read(ESP, 512)).rejects.toThrow(/not aligned to the 65536-byte cluster size/);
  });

  it('refuses an L1 entry whose L2 table lies past the end of the file', async () => {
    const file = await bytesOf('qcow2');
    const l1 = Number(new DataView(file.buffer).getBigUint64(40));
    const patched = withEntry(file, l1, COPIED | (BigInt(file.byteLength) * 4n));
    const disk = await openQcow2Disk(memorySource(patched));
    await expect(disk.read(0, 512)).rejects.toThrow(/L2 table for disk offset 0 .* past the end/);
  });

  it('refuses a compressed cluster that starts past the end of the file', async () => {
    const file = await bytesOf('qcow2-compressed');
    const at = l2EntryAt(file, ESP);
    const entry = entryAt(file, at);
    expect(entry & COMPRESSED).toBe(COMPRESSED);
    const moved = (entry & ~((1n << 54n) - 1n)) | BigInt(file.byteLength + 1000);
    const disk = await openQcow2Disk(memorySource(withEntry(file, at, moved)), decoders());
    await expect(disk.read(ESP, 512)).rejects.toThrow(/compressed cluster .* past the end/);
  });

  it('reports compressed data that does not decompress, or decompresses short', async () => {
    const file = await bytesOf('qcow2-compressed');
    const { offset, length } = compressedExtent(entryAt(file, l2EntryAt(file, ESP)));
    const garbled = Uint8Array.from(file);
    garbled.fill(0xff, offset, offset + length);
    const broken = await openQcow2Disk(memorySource(garbled), decoders());
    const err = await broken.read(ESP, 512).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'corrupt' });
    expect((err as Error).message).toMatch(
      new RegExp(`zlib-compressed qcow2 cluster for disk offset ${ESP} does not decompress: .+`),
    );

    const short = await openQcow2Disk(memorySource(file), {
      decompress: () => Promise.resolve(new Uint8Array(100)),
    });
    await expect(short.read(ESP, 512)).rejects.toThrow(/holds 100 bytes instead of 65536/);
  });

  it('hands the zstd decoder exactly one frame: qcow2 leaves junk after it that decoders refuse', async () => {
    const file = await bytesOf('qcow2-zstd');
    const { offset, length } = compressedExtent(entryAt(file, l2EntryAt(file, ESP)));
    const data = file.subarray(offset, offset + length);
    const frame = zstdFrameLength(data);
    expect(frame).not.toBeNull();
    expect(frame!).toBeLessThan(length);
    expect(zstdDecompress(data.subarray(0, frame!))).toEqual(raw.subarray(ESP, ESP + 65_536));
    expect(() => zstdDecompress(data)).toThrow();
    expect(zstdFrameLength(raw.subarray(0, 512))).toBeNull();
  });

  it('caches L2 tables and decompressed clusters', async () => {
    const file = await bytesOf('qcow2-compressed');
    const { source, offsets } = recording(file);
    const { calls, decompress } = decoders();
    const disk = await openQcow2Disk(source, { decompress });
    for (let i = 0; i < 4; i++) await disk.read(ESP + i * 512, 512);
    await disk.read(3 * MiB, 512);
    const l2 = l2EntryAt(file, ESP) & ~65_535;
    expect(offsets.filter((o) => o === l2)).toHaveLength(1);
    expect(calls.zlib).toBe(1);
  });
});
