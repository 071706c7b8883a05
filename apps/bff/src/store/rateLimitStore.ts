/**
 * express-rate-limit's hit counters in the store (`rate_limit_hits`), so that every replica counts
 * the same hits and a restart forgets none. One row per limiter and client (`prefix` + key), its
 * window fixed at the first hit: each increment is one atomic upsert that starts a new window once
 * the old one is over. Rows of windows long over are swept now and then.
 * (@acpr/rate-limit-postgresql and its kind drive a pg pool of their own: they run neither on
 * PGlite nor through Kysely.)
 */
import { sql } from 'kysely';
import type {
  ClientRateLimitInfo,
  IncrementResponse,
  Options,
  Store as RateLimitStore,
} from 'express-rate-limit';
import type { Store } from './store.ts';

export interface SharedRateLimitStoreOptions {
  /** Keeps this limiter's keys apart from the other limiters' in the one table. */
  prefix: string;
  now?: () => number;
}

/** How often each limiter's store deletes the rows of windows that are over (any limiter's). */
const SWEEP_EVERY_MS = 60_000;

export class SharedRateLimitStore implements RateLimitStore {
  /** Counted in the store: a hit on one replica counts on all of them. */
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(
    private readonly store: Store,
    options: SharedRateLimitStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.now = options.now ?? Date.now;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.store.db
      .selectFrom('rate_limit_hits')
      .select(['hits', 'reset_at'])
      .where('key', '=', this.prefix + key)
      .where('reset_at', '>', new Date(this.now()))
      .executeTakeFirst();
    return row ? { totalHits: row.hits, resetTime: row.reset_at } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const t = this.now();
    const now = new Date(t);
    this.sweepNowAndThen(t);
    const over = sql<boolean>`rate_limit_hits.reset_at <= ${now}`;
    const row = await this.store.db
      .insertInto('rate_limit_hits')
      .values({ key: this.prefix + key, hits: 1, reset_at: new Date(t + this.windowMs) })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql`case when ${over} then 1 else rate_limit_hits.hits + 1 end`,
          reset_at: sql`case when ${over} then excluded.reset_at else rate_limit_hits.reset_at end`,
        }),
      )
      .returning(['hits', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.store.db
      .updateTable('rate_limit_hits')
      .set({ hits: sql`greatest(hits - 1, 0)` })
      .where('key', '=', this.prefix + key)
      .where('reset_at', '>', new Date(this.now()))
      .execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.store.db
      .deleteFrom('rate_limit_hits')
      .where('key', '=', this.prefix + key)
      .execute();
  }

  /** Off the request's path: a failed sweep is retried at the next one. */
  private sweepNowAndThen(t: number): void {
    if (t - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = t;
    this.store.db
      .deleteFrom('rate_limit_hits')
      .where('reset_at', '<=', new Date(t))
      .execute()
      .catch(() => {
        this.lastSweep = 0;
      });
  }
}
