/**
 * Reading a JSON-lines file by byte offset, backwards (newest first) or forwards, one chunk at a
 * time, so a page of the audit log costs the lines it reads, not the file. Offsets are stable in
 * an append-only file, which is what makes them usable as page cursors.
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

/**
 * The complete lines that end at or before `end`, last first. Bytes after the last newline before
 * `end` are a line still being written (or torn by a crash): skipped.
 */
export async function* linesBackward(handle: FileHandle, end: number): AsyncGenerator<Line> {
  let position = end;
  // The bytes before the earliest newline seen so far: a line whose start is not read yet.
  let carry = Buffer.alloc(0);
  // Where that line ends; null until the last newline before `end` is found.
  let lineEnd: number | null = null;
  while (position > 0) {
    const length = Math.min(CHUNK, position);
    position -= length;
    const chunk = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(chunk, 0, length, position);
    // Bytes (not strings) are joined, so a UTF-8 character split across chunks decodes intact.
    const read = chunk.subarray(0, bytesRead);
    const data = carry.length > 0 ? Buffer.concat([read, carry]) : read;
    let cut = data.length;
    for (let nl = data.lastIndexOf(NEWLINE, cut - 1); nl !== -1;) {
      if (lineEnd !== null && nl + 1 < cut) {
        yield { bytes: data.subarray(nl + 1, cut), start: position + nl + 1, end: lineEnd };
      }
      lineEnd = position + nl + 1;
      cut = nl;
      nl = cut === 0 ? -1 : data.lastIndexOf(NEWLINE, cut - 1);
    }
    carry = data.subarray(0, cut);
  }
  if (lineEnd !== null && carry.length > 0) yield { bytes: carry, start: 0, end: lineEnd };
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

/** True when `offset` is the start of a line: the file's start, or just after a newline. */
export async function isLineStart(handle: FileHandle, offset: number): Promise<boolean> {
  if (offset === 0) return true;
  const byte = Buffer.alloc(1);
  const { bytesRead } = await handle.read(byte, 0, 1, offset - 1);
  return bytesRead === 1 && byte[0] === NEWLINE;
}
