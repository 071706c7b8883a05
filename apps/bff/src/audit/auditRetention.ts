/**
 * Retention: entries older than AUDIT_RETENTION_DAYS are deleted at start and then every hour. The
 * append-only trigger lets a delete through only in a transaction that first says
 * `set local byoi.audit_retention = 'on'`; a transaction-scoped advisory lock makes one replica do
 * it while the others, finding the lock taken, skip that round.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export const RETENTION_EVERY_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
/** The advisory lock's key: any number no other lock of the console uses. */
const RETENTION_LOCK = 4_242_101;
/** Rows per transaction: a first run on a large table deletes in steps rather than in one go. */
const DELETE_STEP = 5000;

/**
 * Deletes the entries whose `time` is before `olderThan`; resolves with how many, or null when
 * another replica was deleting them at the time.
 */
export async function deleteAuditEntriesBefore(
  db: Kysely<Database>,
  olderThan: Date,
  step = DELETE_STEP,
): Promise<number | null> {
  let deleted = 0;
  for (;;) {
    const count = await db.transaction().execute(async (tx) => {
      const lock = await sql<{
        held: boolean;
      }>`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as held`.execute(tx);
      if (lock.rows[0]?.held !== true) return null;
      await sql`set local byoi.audit_retention = 'on'`.execute(tx);
      const result = await tx
        .deleteFrom('audit_entries')
        .where('seq', 'in', (eb) =>
          eb
            .selectFrom('audit_entries')
            .select('seq')
            .where('time', '<', olderThan)
            .orderBy('seq')
            .limit(step),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
    if (count === null) return deleted > 0 ? deleted : null;
    deleted += count;
    if (count < step) return deleted;
  }
}

export interface RetentionOptions {
  store: Pick<Store, 'db'>;
  /** AUDIT_RETENTION_DAYS; 0 keeps every entry and starts nothing. */
  days: number;
  logger: {
    info: (obj: object, msg: string) => void;
    warn: (obj: object, msg: string) => void;
  };
  /** Stops the job. */
  signal?: AbortSignal;
  everyMs?: number;
  now?: () => number;
}

/**
 * Runs the retention now and then every `everyMs`, on a timer that does not keep the process
 * alive. Answers a function that resolves once the run in flight (if any) is over: the store must
 * not close under it.
 */
export function startAuditRetention(options: RetentionOptions): () => Promise<void> {
  const { store, days, logger, signal, everyMs = RETENTION_EVERY_MS, now = Date.now } = options;
  if (days === 0 || signal?.aborted) return () => Promise.resolve();
  let running: Promise<void> | null = null;
  const run = () => {
    if (running || signal?.aborted) return;
    running = once().finally(() => {
      running = null;
    });
  };
  const once = async () => {
    const olderThan = new Date(now() - days * DAY_MS);
    try {
      const deleted = await deleteAuditEntriesBefore(store.db, olderThan);
      if (deleted) {
        logger.info(
          { deleted, olderThan: olderThan.toISOString(), retentionDays: days },
          `audit retention: ${deleted} entries older than ${days} days deleted`,
        );
      }
    } catch (error) {
      logger.warn(
        {
          err: {
            code: (error as { code?: unknown }).code,
            message: error instanceof Error ? error.message : String(error),
          },
        },
        'audit retention failed; it runs again at the next round',
      );
    }
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
  return async () => {
    clearInterval(timer);
    await running;
  };
}
