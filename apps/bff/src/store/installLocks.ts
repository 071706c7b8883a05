/**
 * The one-install-per-server lock, in the store so it holds across replicas: a row per locked
 * server with its holder and a lease. Taking it is one statement (insert, or take over a row whose
 * lease has run out; the submits of one moment share it), so two submits racing on any replicas cannot both hold it; a replica killed
 * while holding it leaves a row that expires with its lease. No transaction stays open while the
 * holder talks to OVH (PGlite has one connection).
 */
import { randomUUID } from 'node:crypto';
import { batched } from './batched.ts';
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

  /**
   * Takes locks for many submits at once (see batched.ts): one insert for the servers asked for,
   * which takes over only rows whose lease has run out. Of two asks for one server in a batch,
   * the second gets null, as it would a moment later.
   */
  readonly #acquire = batched<string, InstallLock | null>(async (servers) => {
    const now = this.#now();
    const expires = new Date(now + this.#leaseMs);
    const holders = new Map<string, string>();
    for (const server of servers) {
      if (!holders.has(server)) holders.set(server, `${this.#store.replicaId}:${randomUUID()}`);
    }
    const rows = await this.#store.db
      .insertInto('install_locks')
      .values([...holders].map(([server, holder]) => ({ server, holder, expires_at: expires })))
      .onConflict((oc) =>
        oc
          .column('server')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where('install_locks.expires_at', '<', new Date(now)),
      )
      .returning(['server', 'holder'])
      .execute();
    const taken = new Set(rows.map((row) => row.holder));
    const answered = new Set<string>();
    return servers.map((server) => {
      const holder = holders.get(server) ?? '';
      if (answered.has(server) || !taken.has(holder)) return null;
      answered.add(server);
      return { server, holder };
    });
  });

  /** Deletes each row only while it is still this holder's (an expired lock may be another's now). */
  readonly #release = batched<InstallLock, void>(async (locks) => {
    await this.#store.db
      .deleteFrom('install_locks')
      .where(
        'server',
        'in',
        locks.map((lock) => lock.server),
      )
      .where(
        'holder',
        'in',
        locks.map((lock) => lock.holder),
      )
      .execute();
    return locks.map(() => undefined);
  });

  /** The lock on `server`, or null while someone else holds it. */
  acquire(server: string): Promise<InstallLock | null> {
    return this.#acquire(server);
  }

  /** Deletes the row only while it is still this holder's (an expired lock may be another's now). */
  release(lock: InstallLock): Promise<void> {
    return this.#release(lock);
  }
}
