/**
 * Session epochs in the store, on both engines: a user starts at 0, sign-out bumps, and comparing
 * the directory with the store bumps exactly the users whose role, servers or password changed (or
 * who left), once, also when replicas compare at the same time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/password.ts';
import { UserDirectory } from '../auth/users.ts';
import { testStore } from '../testing/testStore.ts';
import type { Store } from './store.ts';
import { OPERATOR, SCOPED_OPERATOR, TEST_SCRYPT, VIEWER, type TestUser } from '../testing/users.ts';
import { bumpEpoch, currentEpoch, syncDirectory } from './sessionEpochs.ts';

// One hash per password, as a users file keeps it: the same user in two files is the same user.
const hashes = new Map<string, Promise<string>>();
const hashOf = (password: string) => {
  let hash = hashes.get(password);
  if (!hash) hashes.set(password, (hash = hashPassword(password, TEST_SCRYPT)));
  return hash;
};

async function directoryOf(users: TestUser[]): Promise<UserDirectory> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'byoi-epochs-')), 'users.json');
  const entries = await Promise.all(
    users.map(async (u) => ({
      username: u.username,
      passwordHash: await hashOf(u.password),
      role: u.role,
      ...(u.servers ? { servers: u.servers } : {}),
    })),
  );
  writeFileSync(file, JSON.stringify({ users: entries }));
  return (await UserDirectory.load({ usersFile: file, scryptParams: TEST_SCRYPT })).directory;
}

const at = new Date('2026-12-01T10:00:00Z');

describe.each(['postgres', 'pglite'] as const)('session epochs on %s', (kind) => {
  let opened: Promise<Store>;
  // PGlite's first start compiles its WebAssembly: more than a test's 5 s on a busy machine.
  beforeAll(async () => {
    opened = testStore({ kind });
    await opened;
  }, 60_000);
  afterAll(async () => (await opened).close());

  it('start at 0 for a user the store never saw, and go up by one at each sign-out', async () => {
    const store = await opened;
    expect(await currentEpoch(store, 'nobody-yet')).toBe(0);
    expect(await bumpEpoch(store, 'Nobody-Yet', at)).toBe(1);
    expect(await bumpEpoch(store, 'nobody-yet', at)).toBe(2);
    // Usernames are case-insensitive, as in the directory.
    expect(await currentEpoch(store, 'NOBODY-YET')).toBe(2);
  });

  it('bump only the users whose role, servers or password changed, once each', async () => {
    const store = await opened;
    const first = await directoryOf([OPERATOR, VIEWER, SCOPED_OPERATOR]);
    // Only the user of the test above, who is in no directory, is ended (as having left).
    expect(await syncDirectory(store, first, at)).toEqual(['nobody-yet']);
    // The same directory again (a restart with the same file) changes nothing.
    expect(
      await syncDirectory(store, await directoryOf([OPERATOR, VIEWER, SCOPED_OPERATOR]), at),
    ).toEqual([]);
    for (const user of [OPERATOR, VIEWER, SCOPED_OPERATOR]) {
      expect(await currentEpoch(store, user.username)).toBe(0);
    }

    const changed = await directoryOf([
      { ...OPERATOR, role: 'viewer' },
      { ...VIEWER, password: 'a-new-password' },
      { ...SCOPED_OPERATOR, servers: ['ns-small-*'] },
    ]);
    // Two replicas starting at once with the new file: each user is bumped once, not twice.
    const [a, b] = await Promise.all([
      syncDirectory(store, changed, at),
      syncDirectory(store, changed, at),
    ]);
    expect([...a, ...b].sort()).toEqual(
      [OPERATOR.username, VIEWER.username, SCOPED_OPERATOR.username].sort(),
    );
    for (const user of [OPERATOR, VIEWER, SCOPED_OPERATOR]) {
      expect(await currentEpoch(store, user.username)).toBe(1);
    }
  });

  it('bumps a user who left the directory, once, and again when they come back', async () => {
    const store = await opened;
    const departing: TestUser = { username: 'departing', password: 'p-1', role: 'operator' };
    await syncDirectory(store, await directoryOf([departing, OPERATOR]), at);
    const before = await currentEpoch(store, OPERATOR.username);
    expect(await currentEpoch(store, departing.username)).toBe(0);

    const without = await directoryOf([OPERATOR]);
    expect(await syncDirectory(store, without, at)).toContain(departing.username);
    expect(await syncDirectory(store, without, at)).toEqual([]);
    expect(await currentEpoch(store, departing.username)).toBe(1);
    // Back with the very same password and role: a cookie from before they left stays refused.
    expect(await syncDirectory(store, await directoryOf([departing, OPERATOR]), at)).toEqual([
      departing.username,
    ]);
    expect(await currentEpoch(store, departing.username)).toBe(2);
    expect(await currentEpoch(store, OPERATOR.username)).toBe(before);
  });

  it('bumps the one-time admin when SIGUSR2 gives it a new password', async () => {
    const store = await opened;
    const { directory } = await UserDirectory.load({ scryptParams: TEST_SCRYPT });
    await syncDirectory(store, directory, at);
    const before = await currentEpoch(store, 'admin');
    expect(await directory.renewOneTimeAdmin()).not.toBeNull();
    expect(await syncDirectory(store, directory, at)).toContain('admin');
    expect(await currentEpoch(store, 'admin')).toBe(before + 1);
  });
});
