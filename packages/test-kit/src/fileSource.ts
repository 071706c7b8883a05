import { open, stat } from 'node:fs/promises';

/**
 * An image file read in ranges, one open-read-close per read as an HTTP Range request would be:
 * a `ByteSource` (packages/shared) for tests of the readers, multi-GiB sparse images included.
 */
export async function fileSource(
  path: string,
): Promise<{ size: number; read(offset: number, length: number): Promise<Uint8Array> }> {
  const { size } = await stat(path);
  return {
    size,
    async read(offset, length) {
      const handle = await open(path);
      try {
        const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        await handle.read(out, 0, out.byteLength, offset);
        return out;
      } finally {
        await handle.close();
      }
    },
  };
}
