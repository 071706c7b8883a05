/**
 * Session revocation without session state: each user has an epoch in `user_sessions`, sealed into
 * every session at sign-in (middleware/session.ts), and a session sealed with another epoch than
 * its user's current one is over, on every replica. Signing out bumps the epoch; so does any change
 * to the user's role, servers or password, found by comparing a fingerprint of them with the one
 * the store last saw, at start and whenever the directory changes (`syncDirectory`).
 * A user without a row is at epoch 0.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ConsoleUser, UserDirectory } from '../auth/users.ts';
import type { Store } from './store.ts';

/** The fingerprint of a user who is no longer in the directory (a real one is a hex digest). */
const REMOVED = 'removed';

/** Usernames are case-insensitive in the directory: one row per user whatever the case. */
const rowKey = (username: string) => username.toLowerCase();

export function userFingerprint(user: Pick<ConsoleUser, 'role' | 'servers' | 'credentialId'>) {
  return createHash('sha256')
    .update(JSON.stringify([user.role, user.servers, user.credentialId]))
    .digest('hex');
}

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
  const row = await store.db
    .insertInto('user_sessions')
    .values({ username: rowKey(username), epoch: 1, fingerprint: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('username').doUpdateSet({ epoch: sql`user_sessions.epoch + 1`, updated_at: now }),
    )
    .returning('epoch')
    .executeTakeFirstOrThrow();
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
    const row = await store.db
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
      .returning('epoch')
      .executeTakeFirst();
    // A fresh row comes back at epoch 0; a bumped one above it; an unchanged one not at all.
    if (row !== undefined && row.epoch > 0) ended.push(username);
  }
  const removed = await store.db
    .updateTable('user_sessions')
    .set({ epoch: sql`epoch + 1`, fingerprint: REMOVED, updated_at: now })
    .where(sql<boolean>`fingerprint is distinct from ${REMOVED}`)
    .$if(names.length > 0, (qb) => qb.where('username', 'not in', names))
    .returning('username')
    .execute();
  return [...ended, ...removed.map((r) => r.username)];
}
