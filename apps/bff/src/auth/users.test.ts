import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from './password.ts';
import { OPERATOR, TEST_SCRYPT, VIEWER, writeUsersFile } from '../testing/users.ts';
import { UserDirectory, UsersConfigError } from './users.ts';

let dir: string;
let hash: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'byoi-users-'));
  hash = await hashPassword('some-password', TEST_SCRYPT);
});

async function loadFile(content: unknown): Promise<UserDirectory> {
  const file = path.join(dir, `u-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return (await UserDirectory.load({ usersFile: file, scryptParams: TEST_SCRYPT })).directory;
}

async function problemsOf(content: unknown): Promise<string[]> {
  try {
    await loadFile(content);
  } catch (error) {
    if (error instanceof UsersConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a UsersConfigError');
}

describe('UserDirectory from CONSOLE_USERS_FILE', () => {
  it('authenticates each user with their password and role, names case-insensitively', async () => {
    const file = await writeUsersFile(dir, [OPERATOR, { ...VIEWER, servers: ['ns1*'] }]);
    const { directory, oneTimeAdminPassword } = await UserDirectory.load({
      usersFile: file,
      scryptParams: TEST_SCRYPT,
    });
    expect(oneTimeAdminPassword).toBeNull();
    expect(directory.size).toBe(2);
    const op = await directory.authenticate(OPERATOR.username.toUpperCase(), OPERATOR.password);
    expect(op).toMatchObject({ username: OPERATOR.username, role: 'operator', servers: ['*'] });
    const viewer = await directory.authenticate(VIEWER.username, VIEWER.password);
    expect(viewer).toMatchObject({ role: 'viewer', servers: ['ns1*'] });
    expect(viewer?.canAccessServer('ns1.ip-1-2-3.eu')).toBe(true);
    expect(viewer?.canAccessServer('ns2.ip-1-2-3.eu')).toBe(false);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const file = await writeUsersFile(dir, [OPERATOR]);
    const { directory } = await UserDirectory.load({ usersFile: file, scryptParams: TEST_SCRYPT });
    expect(await directory.authenticate(OPERATOR.username, 'wrong')).toBeNull();
    expect(await directory.authenticate('nobody', OPERATOR.password)).toBeNull();
  });

  it('says which user and field is wrong', async () => {
    const problems = await problemsOf({
      users: [
        { username: 'ok', passwordHash: hash, role: 'admin' },
        { username: 'bad name!', passwordHash: hash, role: 'viewer' },
        { username: 'p', password: 'plain', role: 'viewer' },
        { username: 's', passwordHash: hash, role: 'viewer', servers: ['ns(1)'] },
      ],
    });
    const text = problems.join('\n');
    expect(text).toContain('users.0.role must be "viewer" or "operator"');
    expect(text).toContain('users.1.username must be 1–64 letters');
    expect(text).toMatch(/users\.2 .*unknown field\(s\) password.*passwordHash/);
    expect(text).toContain(
      'users.2.passwordHash is required: create one with `pnpm --filter @byoi/bff hash-password`',
    );
    expect(text).toContain('users.3.servers.0 must be a server-name pattern');
  });

  it('rejects a hash that is not scrypt, naming the user', async () => {
    const problems = await problemsOf({
      users: [{ username: 'alice', passwordHash: 'hunter2', role: 'viewer' }],
    });
    expect(problems.join('\n')).toMatch(
      /users\.0 \(alice\): passwordHash is not a scrypt password hash/,
    );
  });

  it('rejects duplicate usernames, whatever their case', async () => {
    const problems = await problemsOf({
      users: [
        { username: 'Alice', passwordHash: hash, role: 'viewer' },
        { username: 'alice', passwordHash: hash, role: 'operator' },
      ],
    });
    expect(problems.join('\n')).toContain('"alice" appears twice');
  });

  it('explains a missing file, bad JSON and an empty list', async () => {
    await expect(
      UserDirectory.load({ usersFile: path.join(dir, 'missing.json'), scryptParams: TEST_SCRYPT }),
    ).rejects.toThrow(/cannot be read \(ENOENT\)/);
    expect((await problemsOf('{not json')).join()).toContain('is not valid JSON');
    expect((await problemsOf({ users: [] })).join()).toContain('must list at least one user');
  });
});

describe('UserDirectory without a users file', () => {
  it('uses CONSOLE_ADMIN_PASSWORD_HASH for an operator named admin', async () => {
    const { directory, oneTimeAdminPassword } = await UserDirectory.load({
      adminPasswordHash: hash,
      scryptParams: TEST_SCRYPT,
    });
    expect(oneTimeAdminPassword).toBeNull();
    expect(await directory.authenticate('admin', 'some-password')).toMatchObject({
      role: 'operator',
      servers: ['*'],
    });
  });

  it('rejects a malformed CONSOLE_ADMIN_PASSWORD_HASH', async () => {
    await expect(
      UserDirectory.load({ adminPasswordHash: 'plain', scryptParams: TEST_SCRYPT }),
    ).rejects.toThrow(/CONSOLE_ADMIN_PASSWORD_HASH: passwordHash is not a scrypt password hash/);
  });

  it('generates a one-time admin password that works, different at every start', async () => {
    const a = await UserDirectory.load({ scryptParams: TEST_SCRYPT });
    const b = await UserDirectory.load({ scryptParams: TEST_SCRYPT });
    expect(a.oneTimeAdminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.oneTimeAdminPassword).not.toBe(b.oneTimeAdminPassword);
    expect(await a.directory.authenticate('admin', a.oneTimeAdminPassword!)).toMatchObject({
      role: 'operator',
    });
    expect(await a.directory.authenticate('admin', b.oneTimeAdminPassword!)).toBeNull();
  });

  it('ends sessions of a user whose password changed: the credential id follows the hash', async () => {
    const one = await UserDirectory.load({ adminPasswordHash: hash, scryptParams: TEST_SCRYPT });
    const other = await UserDirectory.load({
      adminPasswordHash: await hashPassword('another-password', TEST_SCRYPT),
      scryptParams: TEST_SCRYPT,
    });
    expect(one.directory.find('admin')?.credentialId).not.toBe(
      other.directory.find('admin')?.credentialId,
    );
  });
});

describe('sign-in cost does not tell whether a user exists', () => {
  const CHEAP = { N: 1024, r: 8, p: 1 };
  const DEAR = { N: 4096, r: 8, p: 1 };
  const dearest = (work: ReturnType<UserDirectory['signInWork']>) =>
    Math.max(...[work.own, work.dummy].map((h) => (h ? h.params.N * h.params.r * h.params.p : 0)));

  it('pairs a hash cheaper than the reference with the dummy, so every sign-in is as dear', async () => {
    const file = path.join(dir, 'mixed-costs.json');
    await writeFile(
      file,
      JSON.stringify({
        users: [
          {
            username: 'cheap',
            passwordHash: await hashPassword('cheap-pass-1', CHEAP),
            role: 'viewer',
          },
          {
            username: 'dear',
            passwordHash: await hashPassword('dear-pass-1', DEAR),
            role: 'viewer',
          },
        ],
      }),
    );
    const { directory } = await UserDirectory.load({ usersFile: file, scryptParams: CHEAP });
    const unknown = directory.signInWork('nobody');
    const cheap = directory.signInWork('cheap');
    const dear = directory.signInWork('dear');
    // The dummy is as dear as the dearest stored hash, not merely the configured cost.
    expect(unknown.dummy?.params).toEqual(DEAR);
    expect(cheap).toMatchObject({ own: { params: CHEAP }, dummy: { params: DEAR } });
    expect(dear).toMatchObject({ own: { params: DEAR }, dummy: null });
    expect(new Set([unknown, cheap, dear].map(dearest))).toEqual(new Set([4096 * 8]));
    // And the passwords still decide.
    expect(await directory.authenticate('cheap', 'cheap-pass-1')).toMatchObject({
      username: 'cheap',
    });
    expect(await directory.authenticate('cheap', 'dear-pass-1')).toBeNull();
    expect(await directory.authenticate('nobody', 'cheap-pass-1')).toBeNull();
  });
});
