/**
 * The install record: a row per install the console started, written once OVH accepted it. It is
 * the install history (who, when, which server and route, what image, how it ended and what OVH
 * said), the list the outcome watch works from (state `running`), and what any replica answers
 * about an install another one submitted.
 *
 * An install ends once: `settle` changes a `running` row in one statement, so of all the callers
 * that saw the end at once, on any replica, exactly one gets the row back (and writes the audit
 * outcome). The watch takes the installs due for a look with a lease (`claimDue`), so replicas do
 * not ask OVH twice about one install, and one killed mid-watch leaves its installs to the others
 * once the lease has run out. Every time written is the caller's (JavaScript) clock.
 */
import type { Kysely, Selectable } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { ConsoleRole, InstallRoute, LibraryImageRef } from '@byoi/shared';
import { batched } from './batched.ts';
import type { Database, InstallFacts, InstallRecordState, InstallTable } from './schema.ts';

export type InstallRecord = Selectable<InstallTable>;
export type InstallEnd = Exclude<InstallRecordState, 'running'>;

/** A record with the name of the library image it came from, for the history. */
export type InstallHistoryRecord = InstallRecord & { image_name: string | null };

export interface SubmittedInstall {
  /** The id of the submit's audit entry. */
  id: string;
  server: string;
  taskId: number;
  user: string | null;
  role: ConsoleRole | null;
  route: InstallRoute;
  submittedAt: Date;
  facts: InstallFacts;
  libraryImage: LibraryImageRef | null;
}

/** An OVH task as the record knows it: its id, and its start (ids repeat when a simulator resets). */
export interface TaskRef {
  taskId: number;
  startDate: string;
}

/** Where a page of history starts: after this record, in newest-first order. */
export interface HistoryCursor {
  submittedAt: Date;
  id: string;
}

export interface ClaimRequest {
  /** The replica taking them (`Store.replicaId`). */
  owner: string;
  now: number;
  /** How long the owner holds them: longer than one look at OVH takes. */
  leaseMs: number;
  limit: number;
  /** Older installs are no longer watched (left to progress reads). */
  submittedAfter: Date;
}

/** The same start time, however OVH wrote it; the same text when either is not a date. */
export function sameStart(a: string, b: string): boolean {
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}

const asError = (reason: unknown): Error =>
  reason instanceof Error ? reason : new Error('The install record could not be written.');

const ofTask = (record: InstallRecord, task: TaskRef) =>
  record.task_id === task.taskId && sameStart(record.facts.submittedAt, task.startDate);

export interface InstallRecordsOptions {
  /**
   * How long `runningOn` keeps what it found per server (0: not at all). What this process submits
   * or ends is known at once; another replica's submit shows after this long at most.
   */
  runningTtlMs?: number;
}

export class InstallRecords {
  readonly #db: Kysely<Database>;
  /**
   * The facts last found per server: they never change once written, so the progress polls of one
   * install read them from the store once.
   */
  readonly #facts = new Map<string, InstallFacts>();
  /** Per server, whether an install of the console's runs there (see `runningTtlMs`). */
  readonly #running: LRUCache<string, boolean> | null;
  /** Counts the changes made here: a read that began before one does not keep what it read. */
  #changes = 0;

  constructor(db: Kysely<Database>, { runningTtlMs = 0 }: InstallRecordsOptions = {}) {
    this.#db = db;
    this.#running = runningTtlMs > 0 ? new LRUCache({ max: 100_000, ttl: runningTtlMs }) : null;
  }

  async recordSubmitted(install: SubmittedInstall): Promise<void> {
    const failure = await this.#record(install);
    if (failure !== null) throw failure;
    this.#changed(install.server);
  }

  /**
   * The records of the installs OVH accepted at one moment (a rollout's wave), in one insert (see
   * batched.ts). Should it fail, each is written alone: one bad row costs only its own record.
   * Answers, per install, null or why its row was not written.
   */
  readonly #record = batched<SubmittedInstall, Error | null>(async (installs) => {
    const rows = installs.map((install) => ({
      id: install.id,
      server: install.server,
      task_id: install.taskId,
      username: install.user,
      role: install.role,
      route: install.route,
      submitted_at: install.submittedAt,
      facts: JSON.stringify(install.facts),
      image_id: install.libraryImage?.id ?? null,
      image_version: install.libraryImage?.version ?? null,
      state: 'running' as const,
    }));
    const insert = (values: typeof rows) =>
      this.#db.insertInto('installs').values(values).execute();
    try {
      await insert(rows);
      return rows.map(() => null);
    } catch (error) {
      if (rows.length === 1) return [asError(error)];
    }
    const each = await Promise.allSettled(rows.map((row) => insert([row])));
    return each.map((result) => (result.status === 'rejected' ? asError(result.reason) : null));
  });

  /**
   * Ends a running install: the row as it is now for the one caller that ended it, undefined for
   * every other (it had ended already). `alsoWith` runs for that one caller, in the same
   * transaction (e.g. to queue a webhook event): the end and what it causes commit together.
   */
  async settle(
    id: string,
    outcome: InstallEnd,
    message: string | null,
    endedAt: Date,
    alsoWith?: (db: Kysely<Database>, ended: InstallRecord) => Promise<void>,
  ): Promise<InstallRecord | undefined> {
    const end = (db: Kysely<Database>) =>
      db
        .updateTable('installs')
        .set({ state: outcome, message, ended_at: endedAt, watch_owner: null, watch_until: null })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .returningAll()
        .executeTakeFirst();
    const ended = alsoWith
      ? await this.#db.transaction().execute(async (trx) => {
          const row = await end(trx);
          if (row) await alsoWith(trx, row);
          return row;
        })
      : await end(this.#db);
    if (ended) this.#changed(ended.server);
    return ended;
  }

  /** The running records of this task (none, or one). */
  async runningFor(server: string, task: TaskRef): Promise<InstallRecord[]> {
    const rows = await this.#db
      .selectFrom('installs')
      .selectAll()
      .where('server', '=', server)
      .where('task_id', '=', task.taskId)
      .where('state', '=', 'running')
      .execute();
    return rows.filter((row) => ofTask(row, task));
  }

  /**
   * Takes up to `limit` running installs no one holds (never taken, or their lease over) for
   * `owner` until `now + leaseMs`. The rows are picked once, in a materialized CTE, with `for
   * update skip locked`: replicas claiming at once take different ones (an `in (subquery)` could
   * be run again per row, and take more than `limit`); the lease is checked again on each row.
   */
  async claimDue({
    owner,
    now,
    leaseMs,
    limit,
    submittedAfter,
  }: ClaimRequest): Promise<InstallRecord[]> {
    const at = new Date(now);
    return this.#db
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          db
            .selectFrom('installs')
            .select('id')
            .where('state', '=', 'running')
            .where('submitted_at', '>', submittedAfter)
            .where((w) => w.or([w('watch_until', 'is', null), w('watch_until', '<', at)]))
            .orderBy('watch_until', (ob) => ob.asc().nullsFirst())
            .orderBy('submitted_at')
            .limit(limit)
            .forUpdate()
            .skipLocked(),
      )
      .updateTable('installs')
      .from('due')
      .set({ watch_owner: owner, watch_until: new Date(now + leaseMs) })
      .whereRef('installs.id', '=', 'due.id')
      .where('installs.state', '=', 'running')
      .where((w) =>
        w.or([w('installs.watch_until', 'is', null), w('installs.watch_until', '<', at)]),
      )
      .returningAll('installs')
      .execute();
  }

  /** Hands an install back after a look: due again at `at`, for whichever replica comes first. */
  async dueAgainAt(id: string, owner: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('installs')
      .set({ watch_until: at })
      .where('id', '=', id)
      .where('watch_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  /** The servers among these with an install of the console's still running. */
  async runningOn(servers: readonly string[]): Promise<Set<string>> {
    const running = new Set<string>();
    const unknown: string[] = [];
    for (const server of servers) {
      const kept = this.#running?.get(server);
      if (kept === undefined) unknown.push(server);
      else if (kept) running.add(server);
    }
    if (unknown.length === 0) return running;
    const changes = this.#changes;
    const rows = await this.#db
      .selectFrom('installs')
      .select('server')
      .distinct()
      .where('state', '=', 'running')
      .where('server', 'in', unknown)
      .execute();
    const found = new Set(rows.map((row) => row.server));
    const keep = changes === this.#changes;
    for (const server of unknown) {
      if (found.has(server)) running.add(server);
      if (keep) this.#running?.set(server, found.has(server));
    }
    return running;
  }

  #changed(server: string): void {
    this.#changes += 1;
    this.#running?.delete(server);
  }

  /** What the console submitted for this task, when it did. */
  async factsOf(server: string, task: TaskRef): Promise<InstallFacts | undefined> {
    const known = this.#facts.get(server);
    if (known && known.taskId === task.taskId && sameStart(known.submittedAt, task.startDate)) {
      return known;
    }
    const rows = await this.#db
      .selectFrom('installs')
      .selectAll()
      .where('server', '=', server)
      .where('task_id', '=', task.taskId)
      .orderBy('submitted_at', 'desc')
      .limit(5)
      .execute();
    const facts = rows.find((row) => ofTask(row, task))?.facts;
    // Only what was found is kept: the record of an install just accepted may be written next.
    if (facts) this.#facts.set(server, facts);
    return facts;
  }

  /** A page of a server's installs, newest first, after `cursor`. */
  async history(
    server: string,
    { limit, cursor }: { limit: number; cursor?: HistoryCursor | undefined },
  ): Promise<InstallHistoryRecord[]> {
    let query = this.#withImageName().where('installs.server', '=', server);
    if (cursor) {
      query = query.where((eb) =>
        eb(
          eb.refTuple('installs.submitted_at', 'installs.id'),
          '<',
          eb.tuple(cursor.submittedAt, cursor.id),
        ),
      );
    }
    return query
      .orderBy('installs.submitted_at', 'desc')
      .orderBy('installs.id', 'desc')
      .limit(limit)
      .execute();
  }

  async find(id: string): Promise<InstallHistoryRecord | undefined> {
    return this.#withImageName().where('installs.id', '=', id).executeTakeFirst();
  }

  #withImageName() {
    return this.#db
      .selectFrom('installs')
      .leftJoin('images', 'images.id', 'installs.image_id')
      .selectAll('installs')
      .select('images.name as image_name');
  }
}
