/**
 * The append-only audit log: one JSON line per entry in `AUDIT_LOG_FILE` (appended in order, in
 * batches each followed by `fdatasync`, file mode 0600) and the same entry through the application
 * logger. Pages
 * are read from the file by byte offset (lineScan.ts), newest first, filtered as they are read.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntryDto, AuditListResponse } from '@byoi/shared';
import {
  AuditQueryError,
  encodeCursor,
  matches,
  mayMatch,
  type AuditFilter,
  type AuditPageRequest,
} from './auditQuery.ts';
import { isLineStart, linesBackward, linesForward, type Line } from './lineScan.ts';
import { isAnonymousRefusal, RefusalAggregator } from './refusalAggregate.ts';

export interface AuditLogger {
  info: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export type NewAuditEntry = Omit<AuditEntryDto, 'id'> & { id?: string };

/**
 * Entries are appended in the order they are recorded, which is time order except for aggregated
 * refusals (written up to a minute after their last request): a scan towards older entries stops
 * this far before `from`.
 */
const TIME_SLACK_MS = 2 * 60_000;

/** One line for a person reading the application log; the entry itself rides along as `audit`. */
function summary(entry: AuditEntryDto): string {
  if (entry.count !== undefined) {
    return `audit: ${entry.count} refusal${entry.count === 1 ? '' : 's'} without a session from ${entry.ip ?? 'many addresses'}`;
  }
  const parts = [`audit ${entry.event} ${entry.outcome}`];
  if (entry.user) parts.push(`by ${entry.user}`);
  if (entry.server) parts.push(`on ${entry.server}`);
  if (entry.taskId !== undefined) parts.push(`(task ${entry.taskId})`);
  return parts.join(' ');
}

function parseLine(line: Line): AuditEntryDto | null {
  try {
    const entry = JSON.parse(line.bytes.toString('utf8')) as AuditEntryDto;
    // Lines written before entries had ids get one from their position, which never changes.
    if (typeof entry.id !== 'string') entry.id = `at-${line.start}`;
    return entry;
  } catch {
    // A torn last line after a crash is skipped rather than failing the page.
    return null;
  }
}

export class AuditLog {
  #pending: string[] = [];
  #draining: Promise<void> | null = null;
  #handle: FileHandle | null = null;
  readonly #refusals: RefusalAggregator;

  constructor(
    readonly file: string,
    private readonly logger: AuditLogger,
    options: { now?: () => number } = {},
  ) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.#refusals = new RefusalAggregator({
      write: (entry) => this.#append(entry),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * Records an entry and returns its id. Refusals without a session are counted per address and
   * minute instead, and written as one entry when the minute is over (refusalAggregate.ts).
   */
  record(entry: NewAuditEntry): string | null {
    if (isAnonymousRefusal(entry)) {
      this.#refusals.add(entry);
      return null;
    }
    return this.#append(entry);
  }

  /**
   * Records an entry and resolves once it is on disk (written and `fdatasync`ed): the audit trail
   * waits for this before the answer leaves, so an entry the console acknowledged survives a crash.
   * Refusals without a session are only counted (see `record`).
   */
  async recordDurably(entry: NewAuditEntry): Promise<string | null> {
    const id = this.record(entry);
    await this.flush();
    return id;
  }

  #append(input: NewAuditEntry): string {
    // id and time first: a reader of the raw file sees them at the start of each line.
    const { id = randomUUID(), time, ...rest } = input;
    const entry: AuditEntryDto = { id, time, ...rest };
    this.logger.info({ audit: entry }, summary(entry));
    this.#pending.push(`${JSON.stringify(entry)}\n`);
    this.#draining ??= this.#drain();
    return id;
  }

  /**
   * Writes what is pending in batches — one write and one `fdatasync` for every line recorded
   * while the previous batch was being synced — until nothing is left.
   */
  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0).join('');
        try {
          this.#handle ??= await open(this.file, 'a', 0o600);
          await this.#handle.write(batch);
          await this.#handle.datasync();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
          this.logger.error({ code, file: this.file }, 'audit log write failed');
          await this.#handle?.close().catch(() => undefined);
          this.#handle = null;
        }
      }
    } finally {
      this.#draining = null;
    }
  }

  /** Resolves once every entry recorded so far is on disk (aggregated refusals still open are not). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Writes the open refusal counts now, flushes, and closes the file: at shutdown, and in tests. */
  async close(): Promise<void> {
    this.#refusals.close();
    await this.flush();
    await this.#handle?.close();
    this.#handle = null;
  }

  /** The newest `limit` entries, newest first. */
  async recent(limit: number): Promise<AuditEntryDto[]> {
    return (await this.page({ filter: {}, limit })).entries;
  }

  /**
   * One page of entries matching the filter, newest first, with the cursors of the pages around
   * it. A cursor is a byte offset in the file: `before` reads towards the start (older), `after`
   * towards the end (newer).
   */
  async page(request: AuditPageRequest): Promise<AuditListResponse> {
    await this.flush();
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (request.cursor && request.cursor.offset > 0) throw staleCursor();
      return { entries: [], nextCursor: null, prevCursor: null };
    }
    try {
      const { size } = await handle.stat();
      const cursor = request.cursor ?? { direction: 'before' as const, offset: size };
      // Without a cursor the page ends at the file's end, even if a last line is still being written.
      const checked = request.cursor !== undefined;
      if (cursor.offset > size || (checked && !(await isLineStart(handle, cursor.offset)))) {
        throw staleCursor();
      }
      return cursor.direction === 'before'
        ? await this.#older(handle, size, cursor.offset, request)
        : await this.#newer(handle, size, cursor.offset, request);
    } finally {
      await handle.close();
    }
  }

  async #older(
    handle: FileHandle,
    size: number,
    end: number,
    { filter, limit }: AuditPageRequest,
  ): Promise<AuditListResponse> {
    const found: { entry: AuditEntryDto; line: Line }[] = [];
    let more = false;
    for await (const line of linesBackward(handle, end)) {
      const hit = this.#match(line, filter);
      if (hit === 'older') break;
      if (hit === null || hit === 'newer') continue;
      if (found.length === limit) {
        more = true;
        break;
      }
      found.push({ entry: hit, line });
    }
    const newest = found[0]?.line.end ?? end;
    return {
      entries: found.map((f) => f.entry),
      nextCursor: more
        ? encodeCursor({ direction: 'before', offset: found.at(-1)!.line.start })
        : null,
      prevCursor: (await this.#anyNewer(handle, size, newest, filter))
        ? encodeCursor({ direction: 'after', offset: newest })
        : null,
    };
  }

  async #newer(
    handle: FileHandle,
    size: number,
    start: number,
    { filter, limit }: AuditPageRequest,
  ): Promise<AuditListResponse> {
    const found: { entry: AuditEntryDto; line: Line }[] = [];
    let more = false;
    for await (const line of linesForward(handle, start, size)) {
      const hit = this.#match(line, filter);
      if (hit === 'newer') break;
      if (hit === null || hit === 'older') continue;
      if (found.length === limit) {
        more = true;
        break;
      }
      found.push({ entry: hit, line });
    }
    found.reverse();
    const oldest = found.at(-1)?.line.start ?? start;
    return {
      entries: found.map((f) => f.entry),
      nextCursor: (await this.#anyOlder(handle, oldest, filter))
        ? encodeCursor({ direction: 'before', offset: oldest })
        : null,
      prevCursor: more ? encodeCursor({ direction: 'after', offset: found[0]!.line.end }) : null,
    };
  }

  async #anyNewer(handle: FileHandle, size: number, start: number, filter: AuditFilter) {
    for await (const line of linesForward(handle, start, size)) {
      const hit = this.#match(line, filter);
      if (hit === 'newer') return false;
      if (hit !== null && hit !== 'older') return true;
    }
    return false;
  }

  async #anyOlder(handle: FileHandle, end: number, filter: AuditFilter) {
    for await (const line of linesBackward(handle, end)) {
      const hit = this.#match(line, filter);
      if (hit === 'older') return false;
      if (hit !== null && hit !== 'newer') return true;
    }
    return false;
  }

  /**
   * The entry when it matches; `'older'` when it (and so, give or take the slack, everything
   * before it) is older than `from`, `'newer'` when it is past `to` likewise; else null.
   */
  #match(line: Line, filter: AuditFilter): AuditEntryDto | 'older' | 'newer' | null {
    if (filter.from !== undefined || filter.to !== undefined) {
      const time = lineTime(line.bytes);
      if (filter.from !== undefined && time < filter.from - TIME_SLACK_MS) return 'older';
      if (filter.to !== undefined && time >= filter.to + TIME_SLACK_MS) return 'newer';
    }
    if (!mayMatch(line.bytes, filter)) return null;
    const entry = parseLine(line);
    return entry && matches(entry, filter) ? entry : null;
  }
}

const TIME_FIELD = /"time":"([^"]{1,40})"/;

/** The entry's time without parsing the line: it is written near the start (NaN when absent). */
function lineTime(bytes: Buffer): number {
  const head = bytes.subarray(0, 160).toString('latin1');
  const match = TIME_FIELD.exec(head);
  return match?.[1] === undefined ? Number.NaN : Date.parse(match[1]);
}

function staleCursor(): AuditQueryError {
  return new AuditQueryError(
    'cursor',
    'does not point into this audit log (it may come from another console or an older file): start again from the newest page, without cursor.',
  );
}
