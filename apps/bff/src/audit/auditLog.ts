/**
 * The append-only audit log: a row per entry in the store's `audit_entries` (every replica writes
 * into the same table) and the same entry as a JSON line through the application logger, for log
 * shippers. Entries recorded in the same turn of the event loop, or while an insert is in flight,
 * go into one multi-row insert: one round trip and one commit per batch. Pages are read in SQL
 * (auditPage.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntryDto, AuditListResponse } from '@byoi/shared';
import type { Store } from '../store/store.ts';
import { readPage } from './auditPage.ts';
import type { AuditPageRequest } from './auditQuery.ts';
import { insertRows, storableEntry, toRow, type AuditRow } from './auditRow.ts';
import { isAnonymousRefusal, RefusalAggregator } from './refusalAggregate.ts';

export interface AuditLogger {
  info: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export type NewAuditEntry = Omit<AuditEntryDto, 'id'> & { id?: string };

/** Rows per insert at most: 9 parameters each, far below PostgreSQL's 65,535 per statement. */
export const MAX_BATCH_ROWS = 1000;

/** How many inserts the log made, how many entries they stored, and how many it could not store. */
export interface AuditLogStats {
  inserts: number;
  stored: number;
  lost: number;
}

interface Batch {
  rows: AuditRow[];
  committed: Promise<void>;
  settle: () => void;
}

function newBatch(): Batch {
  let settle = () => undefined as void;
  const committed = new Promise<void>((resolve) => (settle = resolve));
  return { rows: [], committed, settle };
}

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

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): a row, not the store, is at fault. */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/** The driver's code and message only: a PostgreSQL error's `detail` may quote the row. */
function describeError(error: unknown): { code: string; message: string } {
  const { code } = error as { code?: unknown };
  return {
    code: typeof code === 'string' ? code : 'unknown',
    message: (error instanceof Error ? error.message : String(error)).slice(0, 300),
  };
}

export class AuditLog {
  /** Batches waiting for the insert in flight, oldest first; entries go into the last one. */
  readonly #queue: Batch[] = [];
  #inFlight: Batch | null = null;
  #scheduled = false;
  readonly #refusals: RefusalAggregator;
  readonly #stats: AuditLogStats = { inserts: 0, stored: 0, lost: 0 };

  constructor(
    readonly store: Store,
    private readonly logger: AuditLogger,
    options: { now?: () => number } = {},
  ) {
    this.#refusals = new RefusalAggregator({
      write: (entry) => void this.#append(entry),
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
    return this.#append(entry).id;
  }

  /**
   * Records an entry and resolves once its batch is committed: the audit trail waits for this
   * before the answer leaves, so an entry the console acknowledged survives a crash. It resolves
   * too once the insert failed (logged): an answer waits for two attempts at most, never for a
   * store that stays down.
   * Refusals without a session are only counted (see `record`).
   */
  async recordDurably(entry: NewAuditEntry): Promise<string | null> {
    if (isAnonymousRefusal(entry)) return this.record(entry);
    const { id, batch } = this.#append(entry);
    await batch.committed;
    return id;
  }

  #append(input: NewAuditEntry): { id: string; batch: Batch } {
    // id and time first: a reader of the log stream sees them at the start of each entry.
    const { id = randomUUID(), time, ...rest } = input;
    const entry = storableEntry({ id, time, ...rest });
    this.logger.info({ audit: entry }, summary(entry));
    let batch = this.#queue.at(-1);
    if (!batch || batch.rows.length >= MAX_BATCH_ROWS) {
      batch = newBatch();
      this.#queue.push(batch);
    }
    batch.rows.push(toRow(entry));
    if (!this.#inFlight && !this.#scheduled) {
      // After this turn of the event loop: the entries recorded until then share the insert.
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#next();
      });
    }
    return { id, batch };
  }

  /** Starts the next batch's insert unless one is in flight. */
  #next(): void {
    if (this.#inFlight) return;
    const batch = this.#queue.shift();
    if (!batch) return;
    this.#inFlight = batch;
    void this.#insert(batch.rows).finally(() => {
      this.#inFlight = null;
      batch.settle();
      this.#next();
    });
  }

  /**
   * One insert for the batch. When it fails because of a row (a data error), each row is tried on
   * its own so that the others are stored; on any other error (the store unreachable) the batch is
   * tried once more. What still fails is logged by id: the entries are on the log stream anyway.
   */
  async #insert(rows: AuditRow[]): Promise<void> {
    try {
      this.#stored(await insertRows(this.store.db, rows));
      return;
    } catch (error) {
      if (!isRowError(error)) {
        try {
          this.#stored(await insertRows(this.store.db, rows));
        } catch (again) {
          this.#lost(rows, again);
        }
        return;
      }
      if (rows.length === 1) {
        this.#lost(rows, error);
        return;
      }
    }
    for (const row of rows) {
      try {
        this.#stored(await insertRows(this.store.db, [row]));
      } catch (error) {
        this.#lost([row], error);
      }
    }
  }

  #stored(count: number): void {
    this.#stats.inserts += 1;
    this.#stats.stored += count;
  }

  #lost(rows: AuditRow[], error: unknown): void {
    this.#stats.lost += rows.length;
    this.logger.error(
      {
        err: describeError(error),
        count: rows.length,
        ids: rows.slice(0, 50).map((r) => r.id),
        store: this.store.kind,
      },
      'audit entries could not be stored (they are on the log stream only)',
    );
  }

  get stats(): Readonly<AuditLogStats> {
    return { ...this.#stats };
  }

  /** Resolves once every entry recorded so far is committed, or failed and logged (aggregated refusals still open are not). */
  async flush(): Promise<void> {
    await (this.#queue.at(-1) ?? this.#inFlight)?.committed;
  }

  /** Writes the open refusal counts now and flushes: at shutdown (before the store closes), and in tests. */
  async close(): Promise<void> {
    this.#refusals.close();
    await this.flush();
  }

  /** The newest `limit` entries, newest first. */
  async recent(limit: number): Promise<AuditEntryDto[]> {
    return (await this.page({ filter: {}, limit })).entries;
  }

  /**
   * One page of entries matching the filter, newest first, with the cursors of the pages around
   * it; this replica's entries recorded so far are in it.
   */
  async page(request: AuditPageRequest): Promise<AuditListResponse> {
    await this.flush();
    return readPage(this.store.db, request);
  }
}
