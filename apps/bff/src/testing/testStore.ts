/**
 * A store for one test file: a fresh PostgreSQL database when one is reachable (TEST_DATABASE_URL,
 * else 127.0.0.1:5432, as scripts/test.sh arranges), created from a template that holds the
 * migrations so each copy takes milliseconds; PGlite in memory otherwise, or when asked.
 * `close()` drops the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { MIGRATION_SQL } from '../store/migrations.ts';
import { openStore, type Store, type StoreKind } from '../store/store.ts';

const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

let serverUrl: Promise<string | null> | null = null;

/** The PostgreSQL server tests create their databases on, or null when there is none. */
export function testServerUrl(): Promise<string | null> {
  serverUrl ??= (async () => {
    const given = process.env.TEST_DATABASE_URL;
    if (given !== undefined && given !== '') return given;
    return (await answers('127.0.0.1', 5432)) ? LOCAL : null;
  })();
  return serverUrl;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function adminDb(url: string): Kysely<unknown> {
  return new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
}

/** Named after the migrations it holds: a new migration makes a new template. */
function templateName(): string {
  const text = Object.entries(MIGRATION_SQL)
    .map(([name, migration]) => `${name}\n${migration}`)
    .join('\n');
  return `byoi_template_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

const templates = new Map<string, Promise<string>>();

async function ensureTemplate(url: string): Promise<string> {
  const name = templateName();
  const admin = adminDb(url);
  try {
    // Several test workers may get here at once: one makes the template, the others wait.
    await sql`select pg_advisory_lock(4242001)`.execute(admin);
    const found = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_database where datname = ${name}`.execute(admin);
    if ((found.rows[0]?.n ?? 0) === 0) {
      await sql.raw(`create database ${name}`).execute(admin);
      const store = await openStore({
        databaseUrl: withDatabase(url, name),
        dataDir: '',
        poolSize: 1,
      });
      await store.close();
    }
    await sql`select pg_advisory_unlock(4242001)`.execute(admin);
  } finally {
    await admin.destroy();
  }
  return name;
}

export interface TestStore extends Store {
  /** The database's URL (PostgreSQL), for a child process sharing it. */
  url: string | null;
}

export async function testStore(options: { kind?: StoreKind } = {}): Promise<TestStore> {
  const url = options.kind === 'pglite' ? null : await testServerUrl();
  if (options.kind === 'postgres' && url === null) {
    throw new Error(
      'These tests need PostgreSQL: set TEST_DATABASE_URL, or run them through scripts/test.sh, which starts one.',
    );
  }
  if (url === null) {
    const store = await openStore({ dataDir: '', pgliteIn: 'memory' });
    return { ...store, url: null };
  }
  let template = templates.get(url);
  if (!template) {
    template = ensureTemplate(url);
    templates.set(url, template);
  }
  const name = `byoi_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = adminDb(url);
  try {
    await sql.raw(`create database ${name} template ${await template}`).execute(admin);
  } finally {
    await admin.destroy();
  }
  const databaseUrl = withDatabase(url, name);
  const store = await openStore({ databaseUrl, dataDir: '', poolSize: 5 });
  return {
    ...store,
    url: databaseUrl,
    close: async () => {
      await store.close();
      const drop = adminDb(url);
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(drop);
      } finally {
        await drop.destroy();
      }
    },
  };
}
