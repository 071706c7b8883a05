/**
 * How each install this console started ended: in its record (store/installRecords.ts) and in the
 * audit log, as an entry of its own linked to the submit's (`relatesTo`, `taskId`): `done`,
 * `failed` (with OVH's message) or `cancelled`. An install OVH no longer knows ends `unknown` in
 * the record, with no audit entry (there is no outcome to tell).
 *
 * The console learns the end from whichever comes first: a progress read (the progress screen, the
 * server page, a cancel) or the watch, which every `intervalMs` takes the running installs due for
 * a look from the store (with a lease, so replicas share them and a dead one's are taken over) and
 * asks OVH for their task, until they end or `timeoutMs` after their submit. Whoever ends the
 * record (one statement, on any replica) writes the audit entry, so each outcome is written once;
 * the same caller queues the webhooks' `install.finished` (also for `unknown`), in the transaction
 * that ends the record.
 */
import type { InstallProgressDto } from '@byoi/shared';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/auditLog.ts';
import { redactMessage } from '../redact.ts';
import type { Logger } from '../logger.ts';
import type { OvhApi } from '../ovh/api.ts';
import { OvhError } from '../ovh/errors.ts';
import {
  sameStart,
  type InstallEnd,
  type InstallRecord,
  type InstallRecords,
} from '../store/installRecords.ts';
import type { Database } from '../store/schema.ts';
import type { Notifier } from '../webhooks/notifier.ts';
import { buildProgress, isTaskActive } from './progress.ts';

export const DEFAULT_WATCH_INTERVAL_MS = 10_000;
/** OVH installs take minutes to an hour; one still running after this is left to progress reads. */
export const DEFAULT_WATCH_TIMEOUT_MS = 6 * 60 * 60_000;
/** How long a replica holds the installs it took for one look: a few OVH calls with retries. */
export const DEFAULT_WATCH_LEASE_MS = 60_000;
/** Installs one replica takes at once; a round takes batches until none is due. */
export const WATCH_BATCH = 25;

type Ended = Extract<InstallProgressDto['state'], 'done' | 'failed' | 'cancelled'>;

export interface InstallOutcomesOptions {
  ovh: Pick<OvhApi, 'getTask' | 'getInstallStatus'>;
  audit: Pick<AuditLog, 'record'>;
  records: Pick<InstallRecords, 'settle' | 'runningFor' | 'claimDue' | 'dueAgainAt'>;
  /** This replica, as the holder of the installs it watches (`Store.replicaId`). */
  owner: string;
  logger: Pick<Logger, 'warn' | 'info'>;
  intervalMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
  /** Told when an install ends (the tracker drops the server's "installing"). */
  onEnded?: (server: string, state: Ended) => void;
  /** Sends `install.finished` to the webhooks, queued in the transaction that settles the install. */
  notifier?: Notifier;
  now?: () => number;
}

function ended(state: InstallProgressDto['state']): state is Ended {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

const taskKey = (task: { taskId: number; startDate: string }) =>
  `${task.taskId}\n${task.startDate}`;

export class InstallOutcomes {
  readonly #options: Required<Omit<InstallOutcomesOptions, 'onEnded' | 'notifier'>> &
    Pick<InstallOutcomesOptions, 'onEnded' | 'notifier'>;
  /**
   * Per server, the ended task whose record this process has already settled or found settled:
   * later reads of the same end (a done page left open) do not ask the store again.
   */
  readonly #settledTask = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  /** The round of the watch in flight, if any: `close` waits for it. */
  #round: Promise<void> | null = null;
  #closed = false;

  constructor(options: InstallOutcomesOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    this.#options = {
      timeoutMs: DEFAULT_WATCH_TIMEOUT_MS,
      now: Date.now,
      ...options,
      intervalMs,
      // A lease shorter than a round would hand an install to a second replica mid-look.
      leaseMs: Math.max(options.leaseMs ?? DEFAULT_WATCH_LEASE_MS, 2 * intervalMs),
    };
  }

  /** Starts the rounds of the watch (every `intervalMs`, until `close`). */
  start(): void {
    this.#schedule();
  }

  /** A progress read (or a cancel's answer): records the outcome if it ends a running install. */
  async observe(progress: InstallProgressDto): Promise<void> {
    const task = progress.task;
    if (this.#closed || !task || !ended(progress.state)) return;
    const key = taskKey(task);
    if (this.#settledTask.get(progress.serverName) === key) return;
    const running = await this.#options.records.runningFor(progress.serverName, task);
    for (const record of running) await this.#end(record, progress, 'progress');
    this.#settledTask.set(progress.serverName, key);
  }

  /**
   * One round of the watch: takes the installs due for a look, `WATCH_BATCH` at a time until none
   * is left (a look makes one due again only a round later), and asks OVH about each. Stopping at
   * one batch would look at each of 100 running installs only every fourth round.
   */
  async poll(): Promise<void> {
    if (this.#closed) return;
    const now = this.#options.now();
    for (;;) {
      const due = await this.#options.records.claimDue({
        owner: this.#options.owner,
        now,
        leaseMs: this.#options.leaseMs,
        limit: WATCH_BATCH,
        submittedAfter: new Date(now - this.#options.timeoutMs),
      });
      if (this.#closed) return;
      // A batch's looks run together (OVH_CONCURRENCY bounds the calls): a fleet's installs are
      // each seen once a round, not one after the other.
      await Promise.all(due.map((record) => this.#look(record)));
      if (due.length < WATCH_BATCH) return;
    }
  }

  /** Stops the rounds; resolves once the round in flight (if any) is over, so the store may close. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
  }

  async #look(record: InstallRecord): Promise<void> {
    const where = { server: record.server, taskId: record.task_id };
    try {
      // The task first (one call while it runs); the steps only for a failure's message.
      const task = await this.#options.ovh.getTask(record.server, record.task_id);
      if (!sameStart(task.startDate, record.facts.submittedAt)) {
        // The id names another task now (a simulator reset): this install's is gone.
        await this.#unknown(record, 'install task now names another task at OVH');
        return;
      }
      if (!isTaskActive(task)) {
        const failed = task.status === 'customerError' || task.status === 'ovhError';
        const status = failed
          ? await this.#options.ovh.getInstallStatus(record.server).catch(() => null)
          : null;
        const progress = buildProgress(record.server, status, task);
        if (ended(progress.state)) {
          await this.#end(record, progress, 'watch');
          return;
        }
      }
      await this.#dueAgain(record);
    } catch (error) {
      if (error instanceof OvhError && error.status === 404) {
        // The task is gone (or the server left the account): there is no outcome to learn.
        await this.#unknown(record, 'install task no longer exists at OVH');
        return;
      }
      // OVH unreachable or refusing for now (or the store): the next round asks again.
      this.#options.logger.warn(
        {
          ...where,
          err: error instanceof Error ? { name: error.name, message: error.message } : {},
        },
        'could not read an install task; trying again at the next round',
      );
      await this.#dueAgain(record).catch(() => undefined);
    }
  }

  #dueAgain(record: InstallRecord): Promise<void> {
    return this.#options.records.dueAgainAt(
      record.id,
      this.#options.owner,
      new Date(this.#options.now() + this.#options.intervalMs),
    );
  }

  async #unknown(record: InstallRecord, why: string): Promise<void> {
    const endedAt = new Date(this.#options.now());
    const settled = await this.#options.records.settle(
      record.id,
      'unknown',
      null,
      endedAt,
      this.#finished('unknown', `The ${why}.`, endedAt),
    );
    if (settled) {
      this.#options.logger.warn(
        { server: record.server, taskId: record.task_id },
        `${why}: its outcome is recorded as unknown`,
      );
    }
  }

  async #end(
    record: InstallRecord,
    progress: InstallProgressDto,
    learnedFrom: 'progress' | 'watch',
  ): Promise<void> {
    if (!ended(progress.state)) return;
    const endedAt = new Date(this.#options.now());
    const message =
      progress.failure?.message === undefined ? null : redactMessage(progress.failure.message);
    // Only the caller that ends the record writes the audit entry: every other finds it ended.
    const settled = await this.#options.records.settle(
      record.id,
      progress.state,
      message,
      endedAt,
      this.#finished(progress.state, message, endedAt),
    );
    if (!settled) return;
    this.#options.audit.record({
      time: endedAt.toISOString(),
      event: 'install',
      outcome: progress.state,
      user: record.username,
      role: record.role,
      ip: null,
      server: record.server,
      taskId: record.task_id,
      relatesTo: record.id,
      learnedFrom,
      ...(message !== null ? { message } : {}),
    });
    this.#options.onEnded?.(record.server, progress.state);
  }

  /** Queues `install.finished` for the one caller that settles the install (none without a notifier). */
  #finished(
    outcome: InstallEnd,
    message: string | null,
    endedAt: Date,
  ): ((db: Kysely<Database>, ended: InstallRecord) => Promise<void>) | undefined {
    const notifier = this.#options.notifier;
    if (!notifier) return undefined;
    return (db, ended) =>
      notifier.emit(
        db,
        'install.finished',
        {
          server: ended.server,
          installId: ended.id,
          taskId: ended.task_id,
          outcome,
          message,
          user: ended.username,
        },
        endedAt.getTime(),
      );
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#round = this.poll()
        .catch((error: unknown) => {
          this.#options.logger.warn(
            { err: error instanceof Error ? { name: error.name, message: error.message } : {} },
            'the install watch could not read the store; trying again at the next round',
          );
        })
        .finally(() => {
          this.#round = null;
          this.#timer = null;
          this.#schedule();
        });
    }, this.#options.intervalMs);
    // The watch must never keep a stopping process alive.
    this.#timer.unref();
  }
}
