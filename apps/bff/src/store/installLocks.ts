/**
 * The one-install-per-server lock, in the store so it holds across replicas: a row per locked
 * server with its holder and a lease. Taking it is one statement (insert, or take over a row whose
 * lease has run out), so two submits racing on any replicas cannot both hold it; a replica killed
 * while holding it leaves a row that expires with its lease. No transaction stays open while the
 * holder talks to OVH (PGlite has one connection).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from './store.ts';

/** Longer than a submit takes (a few OVH calls, each with its timeout); short enough to wait out. */
export const INSTALL_LOCK_LEASE_MS = 60_000;

export interface InstallLock {
  server: string;
  /** This acquisition: the replica and a random part, so only it releases the row. */
  holder: string;
}

export interface InstallLocksOptions {
  leaseMs?: number;
  now?: () => number;
}

export class InstallLocks {
  readonly #store: Pick<Store, 'db' | 'replicaId'>;
  readonly #leaseMs: number;
  readonly #now: () => number;

  constructor(store: Pick<Store, 'db' | 'replicaId'>, options: InstallLocksOptions = {}) {
    this.#store = store;
    this.#leaseMs = options.leaseMs ?? INSTALL_LOCK_LEASE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The lock on `server`, or null while someone else holds it. */
  async acquire(server: string): Promise<InstallLock | null> {
    const now = this.#now();
    const holder = `${this.#store.replicaId}:${randomUUID()}`;
    const row = await this.#store.db
      .insertInto('install_locks')
      .values({ server, holder, expires_at: new Date(now + this.#leaseMs) })
      .onConflict((oc) =>
        oc
          .column('server')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where('install_locks.expires_at', '<', new Date(now)),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder ? { server, holder } : null;
  }

  /** Deletes the row only while it is still this holder's (an expired lock may be another's now). */
  async release(lock: InstallLock): Promise<void> {
    await this.#store.db
      .deleteFrom('install_locks')
      .where('server', '=', lock.server)
      .where('holder', '=', lock.holder)
      .execute();
  }
}
