/**
 * The console's operators: from a users file (`CONSOLE_USERS_FILE`), or a single `admin` whose hash
 * is in `CONSOLE_ADMIN_PASSWORD_HASH`, or — with neither — an `admin` with a one-time password
 * generated at start (printed once by main.ts, like Grafana and Jupyter do).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ConsoleRole, SessionUserDto } from '@byoi/shared';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  parsePasswordHash,
  PasswordHashFormatError,
  verifyPassword,
  type ParsedHash,
  type ScryptParams,
} from './password.ts';
import { compileServerPatterns, isValidServerPattern } from './serverPatterns.ts';

export const ROLES = ['viewer', 'operator'] as const satisfies readonly ConsoleRole[];

export interface ConsoleUser {
  username: string;
  role: ConsoleRole;
  servers: string[];
  /** Short digest of the password hash: a changed password ends the sessions made with the old one. */
  credentialId: string;
  canAccessServer: (serverName: string) => boolean;
}

export class UsersConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid console users:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UsersConfigError';
  }
}

const USERNAME_RULE = /^[A-Za-z0-9._@-]{1,64}$/;

const userSchema = z.strictObject(
  {
    username: z.string({ error: 'is required' }).regex(USERNAME_RULE, {
      error: 'must be 1–64 letters, digits, dots, dashes, underscores or @',
    }),
    passwordHash: z.string({
      error: 'is required: create one with `pnpm --filter @byoi/bff hash-password`',
    }),
    role: z.enum(ROLES, { error: 'must be "viewer" or "operator"' }),
    servers: z
      .array(
        z.string().refine(isValidServerPattern, {
          error: 'must be a server-name pattern using letters, digits, . - _ and the wildcards * ?',
        }),
        { error: 'must be a list of server-name patterns, e.g. ["ns*.ip-51-91-0.eu"]' },
      )
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field(s) ${issue.keys.join(', ')} (a plain "password" is never accepted: store "passwordHash")`
        : undefined,
  },
);

export const usersFileSchema = z.strictObject({
  users: z
    .array(userSchema, { error: 'must be a list of users' })
    .min(1, { error: 'must list at least one user' }),
});
export type UsersFile = z.infer<typeof usersFileSchema>;

interface StoredUser extends ConsoleUser {
  hash: ParsedHash;
}

export interface UserDirectoryOptions {
  usersFile?: string | undefined;
  adminPasswordHash?: string | undefined;
  /** Cost of the generated admin's hash and of the dummy hash for unknown users. */
  scryptParams?: ScryptParams;
}

export class UserDirectory {
  private readonly byName: Map<string, StoredUser>;
  private readonly dummyHash: ParsedHash;

  /** Set only for a generated one-time admin: the cost of its hash, to make a new one. */
  private readonly oneTimeParams: ScryptParams | null;

  private constructor(
    users: StoredUser[],
    dummyHash: ParsedHash,
    oneTimeParams: ScryptParams | null = null,
  ) {
    this.byName = new Map(users.map((u) => [u.username.toLowerCase(), u]));
    this.dummyHash = dummyHash;
    this.oneTimeParams = oneTimeParams;
  }

  /** Builds the directory; `oneTimeAdminPassword` is set only when it generated one. */
  static async load(
    options: UserDirectoryOptions,
  ): Promise<{ directory: UserDirectory; oneTimeAdminPassword: string | null }> {
    const params = options.scryptParams ?? DEFAULT_SCRYPT_PARAMS;
    // The dummy costs as much as the dearest stored hash, so no sign-in is slower for a real user.
    const dummyFor = async (users: StoredUser[]) =>
      parsePasswordHash(
        await hashPassword(
          randomBytes(16).toString('hex'),
          users.map((u) => u.hash.params).reduce(dearer, params),
        ),
      );
    if (options.usersFile !== undefined) {
      const users = await readUsersFile(options.usersFile);
      return {
        directory: new UserDirectory(users, await dummyFor(users)),
        oneTimeAdminPassword: null,
      };
    }
    if (options.adminPasswordHash !== undefined) {
      const admin = toStoredUser(
        { username: 'admin', passwordHash: options.adminPasswordHash, role: 'operator' },
        'CONSOLE_ADMIN_PASSWORD_HASH',
      );
      return {
        directory: new UserDirectory([admin], await dummyFor([admin])),
        oneTimeAdminPassword: null,
      };
    }
    const dummyHash = await dummyFor([]);
    const { password, admin } = await oneTimeAdmin(params);
    return {
      directory: new UserDirectory([admin], dummyHash, params),
      oneTimeAdminPassword: password,
    };
  }

  /**
   * A new password for the generated one-time admin (main.ts, on SIGUSR2); null when the users are
   * configured. The previous password stops working, and so do its sessions (the credential changes).
   */
  async renewOneTimeAdmin(): Promise<string | null> {
    if (this.oneTimeParams === null) return null;
    const { password, admin } = await oneTimeAdmin(this.oneTimeParams);
    this.byName.set(admin.username.toLowerCase(), admin);
    return password;
  }

  get size(): number {
    return this.byName.size;
  }

  /** Every user, e.g. to compare them with what the store last saw (store/sessionEpochs.ts). */
  list(): ConsoleUser[] {
    return [...this.byName.values()];
  }

  find(username: string): ConsoleUser | undefined {
    return this.byName.get(username.toLowerCase());
  }

  /**
   * The hashes a sign-in as `username` derives, run side by side: the user's own, and the dummy
   * whenever the user's is cheaper than it (or there is no such user). Every sign-in therefore
   * takes as long as the dearest hash, and its duration does not tell whether the user exists.
   */
  signInWork(username: string): { own: ParsedHash | null; dummy: ParsedHash | null } {
    const own = this.byName.get(username.toLowerCase())?.hash ?? null;
    const needsDummy = own === null || cost(own.params) < cost(this.dummyHash.params);
    return { own, dummy: needsDummy ? this.dummyHash : null };
  }

  /** The user when the password matches; every sign-in costs the same hash work (`signInWork`). */
  async authenticate(username: string, password: string): Promise<ConsoleUser | null> {
    const user = this.byName.get(username.toLowerCase());
    const { own, dummy } = this.signInWork(username);
    const [ok] = await Promise.all([
      own ? verifyPassword(password, own) : Promise.resolve(false),
      dummy ? verifyPassword(password, dummy) : Promise.resolve(false),
    ]);
    return ok && user ? user : null;
  }
}

/** scrypt's work grows with N·r·p. */
const cost = (params: ScryptParams): number => params.N * params.r * params.p;
const dearer = (a: ScryptParams, b: ScryptParams): ScryptParams => (cost(b) > cost(a) ? b : a);

async function oneTimeAdmin(
  params: ScryptParams,
): Promise<{ password: string; admin: StoredUser }> {
  const password = randomBytes(18).toString('base64url');
  const admin = toStoredUser(
    { username: 'admin', passwordHash: await hashPassword(password, params), role: 'operator' },
    'generated admin',
  );
  return { password, admin };
}

export function toSessionUserDto(
  user: Pick<ConsoleUser, 'username' | 'role' | 'servers'>,
): SessionUserDto {
  return { username: user.username, role: user.role, servers: [...user.servers] };
}

function toStoredUser(entry: z.infer<typeof userSchema>, where: string): StoredUser {
  let hash: ParsedHash;
  try {
    hash = parsePasswordHash(entry.passwordHash);
  } catch (error) {
    if (error instanceof PasswordHashFormatError) {
      throw new UsersConfigError([`${where}: passwordHash ${error.message}`]);
    }
    throw error;
  }
  const servers = entry.servers ?? ['*'];
  return {
    username: entry.username,
    role: entry.role,
    servers,
    hash,
    credentialId: createHash('sha256').update(entry.passwordHash).digest('base64url').slice(0, 16),
    canAccessServer: compileServerPatterns(servers),
  };
}

async function readUsersFile(file: string): Promise<StoredUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsersConfigError([
      `CONSOLE_USERS_FILE (${file}) cannot be read (${code}). Check the path and that the console may read it.`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsersConfigError([
      `CONSOLE_USERS_FILE (${file}) is not valid JSON. Expected {"users": [{"username", "passwordHash", "role", "servers"}]}.`,
    ]);
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsersConfigError(
      parsed.error.issues.map((issue) => {
        const at = issue.path.length > 0 ? issue.path.join('.') : '(file)';
        return `CONSOLE_USERS_FILE ${at} ${issue.message}.`;
      }),
    );
  }
  const problems: string[] = [];
  const users: StoredUser[] = [];
  const seen = new Set<string>();
  parsed.data.users.forEach((entry, i) => {
    const key = entry.username.toLowerCase();
    if (seen.has(key)) {
      problems.push(
        `CONSOLE_USERS_FILE users.${i}.username "${entry.username}" appears twice; usernames must be unique.`,
      );
      return;
    }
    seen.add(key);
    try {
      users.push(toStoredUser(entry, `CONSOLE_USERS_FILE users.${i} (${entry.username})`));
    } catch (error) {
      if (error instanceof UsersConfigError) problems.push(...error.problems);
      else throw error;
    }
  });
  if (problems.length > 0) throw new UsersConfigError(problems);
  return users;
}
