/**
 * Session revocation without session state: each user has an epoch in `user_sessions`, sealed into
 * every session at sign-in (middleware/session.ts), and a session sealed with another epoch than
 * its user's current one is over, on every replica. Signing out bumps the epoch; so does any change
 * to the user's role, servers or password, found by comparing a fingerprint of them with the one
 * the store last saw, at start and whenever the directory changes (`syncDirectory`).
 * A user without a row is at epoch 0.
 *
 * Every request with a session needs its user's epoch, so `EpochCache` keeps them. On PGlite every
 * bump goes through this process, which forgets the epochs it bumps: the cache is exact. On
 * PostgreSQL other replicas bump too, and each bump NOTIFYs `SESSION_EPOCHS_CHANNEL` in its own
 * statement; every replica LISTENs and forgets the user named. Should that go wrong unseen, an epoch
 * is kept `EPOCH_TTL_MS` at most; while the LISTEN connection is down nothing is kept; and a
 * request that changes anything reads the epoch from the store (`fresh`).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { ConsoleUser, UserDirectory } from '../auth/users.ts';
import type { Store } from './store.ts';

/** Where bumps are announced to the other replicas; the payload is the (lower-case) username. */
export const SESSION_EPOCHS_CHANNEL = 'byoi_session_epochs';

/** How long a replica trusts an epoch it read from PostgreSQL, NOTIFY or not. */
const EPOCH_TTL_MS = 2_000;

/** The fingerprint of a user who is no longer in the directory (a real one is a hex digest). */
const REMOVED = 'removed';

/** Usernames are case-insensitive in the directory: one row per user whatever the case. */
const rowKey = (username: string) => username.toLowerCase();

export function userFingerprint(user: Pick<ConsoleUser, 'role' | 'servers' | 'credentialId'>) {
  return createHash('sha256')
    .update(JSON.stringify([user.role, user.servers, user.credentialId]))
    .digest('hex');
}

/** Tells the other replicas, in the bump's own statement (so only once it is committed). */
const notify = sql<string>`pg_notify(${SESSION_EPOCHS_CHANNEL}, username)`.as('notified');

/** The epoch caches of each store, which its bumps in this process update at once. */
const cachesOf = new WeakMap<Store, Set<EpochCache>>();

function forgetHere(store: Store, usernames: readonly string[]): void {
  if (usernames.length === 0) return;
  for (const cache of cachesOf.get(store) ?? []) cache.forget(usernames);
}

/** The epoch as the store has it now (no cache). */
export async function currentEpoch(store: Store, username: string): Promise<number> {
  const row = await store.db
    .selectFrom('user_sessions')
    .select('epoch')
    .where('username', '=', rowKey(username))
    .executeTakeFirst();
  return row?.epoch ?? 0;
}

/** Ends every session of `username`, wherever its cookie is; returns the new epoch. */
export async function bumpEpoch(store: Store, username: string, now: Date): Promise<number> {
  const key = rowKey(username);
  const row = await store.db
    .with('bumped', (db) =>
      db
        .insertInto('user_sessions')
        .values({ username: key, epoch: 1, fingerprint: null, updated_at: now })
        .onConflict((oc) =>
          oc
            .column('username')
            .doUpdateSet({ epoch: sql`user_sessions.epoch + 1`, updated_at: now }),
        )
        .returning(['username', 'epoch']),
    )
    .selectFrom('bumped')
    .select(['epoch', notify])
    .executeTakeFirstOrThrow();
  forgetHere(store, [key]);
  return row.epoch;
}

/**
 * Compares each user of the directory with what the store last saw and bumps the epoch of those
 * whose role, servers or password changed, or who left the directory; a user seen for the first
 * time starts at epoch 0. One conditional upsert per user: replicas starting at once with the same
 * new directory bump each user once. Returns the usernames whose sessions were ended.
 */
export async function syncDirectory(
  store: Store,
  directory: UserDirectory,
  now: Date,
): Promise<string[]> {
  const ended: string[] = [];
  const names: string[] = [];
  for (const user of directory.list()) {
    const username = rowKey(user.username);
    names.push(username);
    const bumped = await store.db
      .with('synced', (db) =>
        db
          .insertInto('user_sessions')
          .values({ username, epoch: 0, fingerprint: userFingerprint(user), updated_at: now })
          .onConflict((oc) =>
            oc
              .column('username')
              .doUpdateSet({
                epoch: sql`user_sessions.epoch + 1`,
                fingerprint: (eb) => eb.ref('excluded.fingerprint'),
                updated_at: (eb) => eb.ref('excluded.updated_at'),
              })
              .where(sql<boolean>`user_sessions.fingerprint is distinct from excluded.fingerprint`),
          )
          .returning(['username', 'epoch']),
      )
      // A fresh row comes back at epoch 0, a bumped one above it, an unchanged one not at all:
      // only a bumped one is told of.
      .selectFrom('synced')
      .select(['epoch', notify])
      .where('epoch', '>', 0)
      .executeTakeFirst();
    if (bumped !== undefined) {
      ended.push(username);
      forgetHere(store, [username]);
    }
  }
  const removed = await store.db
    .with('removed', (db) =>
      db
        .updateTable('user_sessions')
        .set({ epoch: sql`epoch + 1`, fingerprint: REMOVED, updated_at: now })
        .where(sql<boolean>`fingerprint is distinct from ${REMOVED}`)
        .$if(names.length > 0, (qb) => qb.where('username', 'not in', names))
        .returning('username'),
    )
    .selectFrom('removed')
    .select(['username', notify])
    .execute();
  const left = removed.map((r) => r.username);
  forgetHere(store, left);
  return [...ended, ...left];
}

export interface EpochCacheOptions {
  /** PostgreSQL only (PGlite's cache is exact): how long an epoch read is kept. */
  ttlMs?: number;
  /** Users kept at most. */
  max?: number;
}

/** The users' epochs, read from the store once and forgotten when they change (see above). */
export class EpochCache {
  readonly #store: Store;
  readonly #epochs: LRUCache<string, number>;
  /** Whether what is read may be kept: always on PGlite, while LISTEN is in place on PostgreSQL. */
  #keeping: boolean;
  /** Counts the changes heard: a read that began before one does not keep what it read. */
  #changes = 0;
  readonly #unlisten: () => void;

  constructor(store: Store, options: EpochCacheOptions = {}) {
    this.#store = store;
    this.#keeping = store.kind === 'pglite';
    this.#epochs = new LRUCache({
      max: options.max ?? 10_000,
      ...(store.kind === 'postgres' ? { ttl: options.ttlMs ?? EPOCH_TTL_MS } : {}),
    });
    let caches = cachesOf.get(store);
    if (!caches) cachesOf.set(store, (caches = new Set()));
    caches.add(this);
    this.#unlisten = store.listen(SESSION_EPOCHS_CHANNEL, {
      onMessage: (username) => this.forget([username]),
      onListening: () => {
        this.#forgetAll();
        this.#keeping = true;
      },
      onLost: () => {
        this.#keeping = false;
        this.#forgetAll();
      },
    });
  }

  /** Whether epochs are being kept (false on PostgreSQL until LISTEN is in place, and after a drop). */
  get keeping(): boolean {
    return this.#keeping;
  }

  /** The user's epoch: kept, or read from the store (always when `fresh`), and then kept. */
  async current(username: string, { fresh = false }: { fresh?: boolean } = {}): Promise<number> {
    const key = rowKey(username);
    if (!fresh) {
      const kept = this.#epochs.get(key);
      if (kept !== undefined) return kept;
    }
    const changes = this.#changes;
    const epoch = await currentEpoch(this.#store, key);
    if (this.#keeping && changes === this.#changes) this.#epochs.set(key, epoch);
    return epoch;
  }

  forget(usernames: readonly string[]): void {
    this.#changes += 1;
    for (const username of usernames) this.#epochs.delete(rowKey(username));
  }

  close(): void {
    this.#keeping = false;
    this.#unlisten();
    cachesOf.get(this.#store)?.delete(this);
    this.#forgetAll();
  }

  #forgetAll(): void {
    this.#changes += 1;
    this.#epochs.clear();
  }
}
