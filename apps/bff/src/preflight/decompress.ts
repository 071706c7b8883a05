/**
 * Decompression of qcow2's compressed clusters for the preflight's reads of an image's virtual
 * disk: zlib (raw deflate, the default of `qemu-img convert -c`) with Node's zlib, zstd with the
 * pure-JS fzstd (Node 20's zlib has no zstd). Output stops at one cluster, whatever the input.
 */
import { inflateRawSync, constants } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type { Decompress } from '@byoi/shared';

export const decompressCluster: Decompress = (kind, data, clusterSize) => {
  if (kind === 'zstd') {
    return Promise.resolve(zstdDecompress(data, new Uint8Array(clusterSize)));
  }
  // Junk follows the deflate stream up to the sector boundary: a sync flush stops at its end.
  const out = inflateRawSync(data, {
    finishFlush: constants.Z_SYNC_FLUSH,
    maxOutputLength: clusterSize,
  });
  return Promise.resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
};
