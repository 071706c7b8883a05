/**
 * Reading a JSON-lines file forwards one chunk at a time, with each line's byte offset: the legacy
 * audit file is imported this way (legacyImport.ts), and an entry without an id is named after its
 * offset, which never changes in an append-only file.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

export interface Line {
  /** The line without its newline. */
  bytes: Buffer;
  /** Offset of its first byte. */
  start: number;
  /** Offset just past its newline (or the end of the data read). */
  end: number;
}

/** The complete lines from `start` (a line's first byte) up to `end`, first first. */
export async function* linesForward(
  handle: FileHandle,
  start: number,
  end: number,
): AsyncGenerator<Line> {
  let position = start;
  let carry = Buffer.alloc(0);
  while (position < end) {
    const length = Math.min(CHUNK, end - position);
    const chunk = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(chunk, 0, length, position);
    if (bytesRead === 0) break;
    const read = chunk.subarray(0, bytesRead);
    const data = carry.length > 0 ? Buffer.concat([carry, read]) : read;
    const dataStart = position - carry.length;
    position += bytesRead;
    let from = 0;
    for (let nl = data.indexOf(NEWLINE, from); nl !== -1; nl = data.indexOf(NEWLINE, from)) {
      if (nl > from) {
        yield { bytes: data.subarray(from, nl), start: dataStart + from, end: dataStart + nl + 1 };
      }
      from = nl + 1;
    }
    // A last line without its newline is being written (or was torn): not yielded.
    carry = data.subarray(from);
  }
}
