/**
 * The store: everything the console must remember across restarts and share between replicas.
 * PostgreSQL through a connection pool when `DATABASE_URL` is set; otherwise PGlite (PostgreSQL
 * compiled to WASM) in `DATA_DIR/pglite`, one process at a time. The same Kysely queries and the
 * same migrations (migrations.ts) run on both.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import { NotificationListener, type ChannelSubscriber } from './notifications.ts';
import type { Database } from './schema.ts';

export type StoreKind = 'postgres' | 'pglite';

export interface Store {
  db: Kysely<Database>;
  kind: StoreKind;
  /** Where it is, for the start banner and the log: the URL without its password, or the directory. */
  location: string;
  /** This process, as the holder of leases and locks in the store. */
  replicaId: string;
  /**
   * Hears the NOTIFYs on `channel` from every replica, on a connection of its own; returns the
   * unsubscribe. PostgreSQL only: on PGlite every write goes through this process, which knows
   * of it without being told, and nothing is ever heard. On both, `onLost` once the store closes.
   */
  listen(channel: string, subscriber: ChannelSubscriber): () => void;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL when set; PGlite in `dataDir` otherwise. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PGlite only: `memory` keeps nothing on disk (tests). */
  pgliteIn?: 'dataDir' | 'memory';
  poolSize?: number;
}

/** Why the store could not open, in words for the operator (main.ts prints it and exits). */
export class StoreError extends Error {
  override name = 'StoreError';
}

const INT8_OID = 20;
const int8 = (value: string) => Number(value);

/** The URL with its password masked: safe for a log line or an error. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

export function newReplicaId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

async function migrate(db: Kysely<Database>, where: string): Promise<void> {
  // Migrating at start is this store's own business: the migrator's tables go in the same schema.
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
  }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(
      `The store at ${where} could not be migrated${failed ? ` (migration ${failed})` : ''}: ${
        error instanceof Error ? error.message : 'unknown error'
      }`,
    );
  }
}

async function openPostgres(url: string, poolSize: number): Promise<Store> {
  const location = redactDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    types: {
      // pg's own parsers for every type but int8, which comes back as a number (see schema.ts).
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? int8
          : (pg.types.getTypeParser(oid, format) as (
              value: string,
            ) => unknown)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (the server restarted) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    // 3D000: no such database; 28P01/28000: the password or the role is refused.
    const hint =
      code === '3D000'
        ? ' Create it first (e.g. `createdb byoi`), or point DATABASE_URL at one that exists.'
        : code === '28P01' || code === '28000'
          ? ' Check the user and password in DATABASE_URL.'
          : '';
    throw new StoreError(
      `Cannot reach PostgreSQL at ${location}${code ? ` (${code})` : ''}: ${
        error instanceof Error ? error.message : String(error)
      }.${hint} Check DATABASE_URL, or unset it to use the embedded store in DATA_DIR.`,
    );
  }
  await migrate(db, location);
  const listener = new NotificationListener(url);
  return {
    db,
    kind: 'postgres',
    location,
    replicaId: newReplicaId(),
    listen: (channel, subscriber) => listener.listen(channel, subscriber),
    close: async () => {
      await Promise.all([listener.close(), db.destroy()]);
    },
  };
}

/**
 * PGlite is one process's database: a second console on the same directory would corrupt it.
 * A lock file holding the owner's pid keeps it out; one left by a process that is gone is taken.
 */
const heldHere = new Set<string>();

function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'console.lock');
  if (heldHere.has(file)) {
    throw new StoreError(
      `The embedded store in ${dir} is already open in this process. Use one store per DATA_DIR.`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new StoreError(
          `The embedded store in ${dir} is in use by another console (pid ${pid}). ` +
            'Stop it first, give this one another DATA_DIR, or run several replicas on one PostgreSQL with DATABASE_URL.',
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StoreError(`Could not lock the embedded store in ${dir}.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPglite(dataDir: string, inMemory: boolean): Promise<Store> {
  const dir = path.join(dataDir, 'pglite');
  let unlock = () => undefined as void;
  if (!inMemory) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? 'memory://' : dir, { parsers: { [INT8_OID]: int8 } });
  } catch (error) {
    unlock();
    throw new StoreError(
      `The embedded store in ${dir} could not be opened: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  const location = inMemory ? 'memory' : dir;
  try {
    await migrate(db, location);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    unlock();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const subscribers = new Set<ChannelSubscriber>();
  return {
    db,
    kind: 'pglite',
    location,
    replicaId: newReplicaId(),
    listen: (_channel, subscriber) => {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    close: () => {
      for (const subscriber of subscribers) subscriber.onLost?.();
      subscribers.clear();
      return (closing ??= db.destroy().finally(() => {
        unlock();
      }));
    },
  };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined) {
    return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  }
  return openPglite(options.dataDir, options.pgliteIn === 'memory');
}
