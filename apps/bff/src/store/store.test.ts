/**
 * The store itself, on both engines: migrations apply once, also when replicas start at once; the
 * audit table refuses updates and deletes outside retention; an embedded directory opens in one
 * process at a time; 64-bit integers and times come back as numbers and dates.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { testServerUrl, testStore } from '../testing/testStore.ts';
import { MIGRATION_SQL, statements } from './migrations.ts';
import { openStore, redactDatabaseUrl, StoreError } from './store.ts';

describe('migrations', () => {
  it('splits a migration into statements, keeping a function body whole', () => {
    const parts = statements(
      'create table a (x int);\n-- a comment;\ncreate function f() returns trigger language plpgsql as $$\nbegin\n  return null;\nend\n$$;\ncreate index i on a (x);\n',
    );
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain('return null;');
    expect(parts.join('\n')).not.toContain('a comment');
  });

  it('applies each migration once when four replicas start on an empty PostgreSQL database at the same time', async () => {
    const server = await testServerUrl();
    expect(server, 'PostgreSQL is needed (scripts/test.sh provides one)').not.toBeNull();
    const empty = await testStore({ kind: 'postgres' });
    // An empty database: drop what the template brought, as a first start would find it.
    await sql`drop schema public cascade`.execute(empty.db);
    await sql`create schema public`.execute(empty.db);
    const replicas = await Promise.all(
      [1, 2, 3, 4].map(() => openStore({ databaseUrl: empty.url!, dataDir: '', poolSize: 2 })),
    );
    const applied = await sql<{
      n: number;
    }>`select count(*)::int as n from kysely_migration`.execute(empty.db);
    expect(applied.rows[0]?.n).toBe(Object.keys(MIGRATION_SQL).length);
    await Promise.all(replicas.map((r) => r.close()));
    await empty.close();
  }, 30_000);
});

describe.each(['postgres', 'pglite'] as const)('the store on %s', (kind) => {
  const opened = testStore({ kind });
  afterAll(async () => (await opened).close());

  it('keeps the audit table append-only', async () => {
    const { db } = await opened;
    await db
      .insertInto('audit_entries')
      .values({
        id: 'e1',
        time: new Date('2026-12-01T10:00:00Z'),
        event: 'install',
        outcome: 'submitted',
        username: 'ops',
        server: 'ns1',
        task_id: 6_000_000_000,
        relates_to: null,
        entry: JSON.stringify({ id: 'e1' }),
      })
      .execute();
    await expect(
      db.updateTable('audit_entries').set({ outcome: 'done' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_entries').execute()).rejects.toThrow(/append-only/);
    const row = await db.selectFrom('audit_entries').selectAll().executeTakeFirstOrThrow();
    expect(row.task_id).toBe(6_000_000_000);
    expect(row.time).toBeInstanceOf(Date);
    expect(row.entry).toEqual({ id: 'e1' });
    // The retention job says who it is first, in its own transaction.
    await db.transaction().execute(async (tx) => {
      await sql`set local byoi.audit_retention = 'on'`.execute(tx);
      await tx.deleteFrom('audit_entries').where('id', '=', 'e1').execute();
    });
    expect(await db.selectFrom('audit_entries').selectAll().execute()).toEqual([]);
  });
});

describe('the embedded store', () => {
  it('persists across restarts and opens in one process at a time', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-pglite-'));
    const first = await openStore({ dataDir });
    await first.db.insertInto('store_meta').values({ key: 'k', value: 'v' }).execute();
    await expect(openStore({ dataDir })).rejects.toThrow(StoreError);
    await expect(openStore({ dataDir })).rejects.toThrow(/already open in this process/);
    await first.close();
    const again = await openStore({ dataDir });
    expect(await again.db.selectFrom('store_meta').selectAll().execute()).toEqual([
      { key: 'k', value: 'v' },
    ]);
    await again.close();
  }, 30_000);

  it('refuses a directory another live process holds, and takes one a dead process left', async () => {
    const { writeFileSync } = await import('node:fs');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-pglite-'));
    // pid 1 is alive on every Linux machine; 2^22 + 1 is beyond pid_max's default and so dead.
    writeFileSync(path.join(dataDir, 'console.lock'), '1');
    await expect(openStore({ dataDir })).rejects.toThrow(/in use by another console \(pid 1\)/);
    writeFileSync(path.join(dataDir, 'console.lock'), String(2 ** 22 + 1));
    const store = await openStore({ dataDir });
    await store.close();
  }, 30_000);
});

describe('errors', () => {
  it('names an unreachable PostgreSQL without its password', async () => {
    const error = await openStore({
      databaseUrl: 'postgres://u:s3cret@127.0.0.1:1/db',
      dataDir: '',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toContain('ECONNREFUSED');
    expect(String(error)).not.toContain('s3cret');
    expect(redactDatabaseUrl('postgres://u:s3cret@h/db')).toBe('postgres://u:***@h/db');
    const server = await testServerUrl();
    const missing = new URL(server ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    missing.pathname = '/byoi_no_such_database';
    const absent = await openStore({ databaseUrl: missing.toString(), dataDir: '' }).catch(
      (e: unknown) => e,
    );
    expect(String(absent)).toMatch(/\(3D000\).*Create it first/);
  });
});
