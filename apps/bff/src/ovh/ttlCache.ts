/**
 * A small time-to-live cache with per-key invalidation. A TTL of 0 disables it. An entry past its
 * TTL stays readable as *stale* for `staleMs` more, so a caller can answer with it while it
 * refreshes the entry (stale-while-revalidate); deleting an entry removes it outright.
 */
export interface CacheHit<T> {
  value: T;
  fresh: boolean;
}

export class TtlCache<T> {
  readonly #entries = new Map<string, { value: T; freshUntil: number; staleUntil: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly staleMs = 0,
  ) {}

  /** The entry, fresh or stale; undefined once past both windows. */
  lookup(key: string): CacheHit<T> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const t = this.now();
    if (t >= entry.staleUntil) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value, fresh: t < entry.freshUntil };
  }

  /** A fresh value only. */
  get(key: string): T | undefined {
    const hit = this.lookup(key);
    return hit?.fresh ? hit.value : undefined;
  }

  set(key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    const freshUntil = this.now() + this.ttlMs;
    this.#entries.set(key, { value, freshUntil, staleUntil: freshUntil + this.staleMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
