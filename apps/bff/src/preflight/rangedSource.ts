/**
 * The image as a ByteSource over HTTP Range requests through the guarded client, for the reads the
 * EFI check needs (the partition table, the FAT, directories): a few small requests instead of the
 * whole image. Bounded by `boundedSource`'s budget (packages/shared's `DEFAULT_MAX_READS` requests,
 * `DEFAULT_MAX_BYTES` bytes), so a hostile or huge image costs at most that.
 */
import { boundedSource, type BoundedSource, type ByteSource } from '@byoi/shared';
import { FetchError } from './errors.ts';
import type { HeaderPair, SafeFetch } from './safeFetch.ts';

/** `bytes 65536-131071/8388608` → its first byte. */
function rangeStart(value: string | undefined): number | null {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(value?.trim() ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

export function rangedImageSource(options: {
  fetch: SafeFetch;
  url: string;
  /** Sent as the operator gave them; the guarded client keeps them to the URL's own origin. */
  headers: HeaderPair[];
  size: number;
  signal?: AbortSignal;
}): BoundedSource {
  const { fetch, url, headers, size, signal } = options;
  const source: ByteSource = {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length) - 1;
      if (length <= 0 || end < offset) return new Uint8Array(0);
      const res = await fetch(url, {
        headers,
        range: { start: offset, end },
        maxBytes: end - offset + 1,
        signal,
      });
      if (res.status !== 206 || rangeStart(res.headers['content-range']) !== offset) {
        res.discard();
        throw new FetchError(
          'protocol',
          `The image host answered a ranged read with HTTP ${res.status} instead of the bytes asked for.`,
          url,
        );
      }
      const bytes = await res.readPrefix(end - offset + 1);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
  return boundedSource(source);
}
