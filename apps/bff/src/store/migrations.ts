/**
 * The store's versioned migrations, in PostgreSQL's SQL, the same for PostgreSQL and PGlite.
 * Kysely's migrator applies the missing ones at start, in order, each in a transaction, under a
 * PostgreSQL advisory lock taken in that transaction: replicas starting at once wait for each other
 * and then find nothing left to do. A migration, once released, is never edited: add the next one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * The statements of a migration's text, split at each `;` that ends a line outside a `$$` body:
 * PGlite, like PostgreSQL's extended protocol, takes one statement per query.
 */
export function statements(text: string): string[] {
  const found: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('--') && !inBody) continue;
    current += `${line}\n`;
    inBody = (line.match(/\$\$/g)?.length ?? 0) % 2 === 1 ? !inBody : inBody;
    if (!inBody && line.trimEnd().endsWith(';')) {
      found.push(current.trim());
      current = '';
    }
  }
  if (current.trim() !== '') found.push(current.trim());
  return found;
}

function sqlMigration(text: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const statement of statements(text)) await sql.raw(statement).execute(db);
    },
  };
}

const INITIAL = `
create table idempotency_keys (
  id text primary key,
  fingerprint text not null,
  created_at timestamptz not null,
  owner text not null,
  lease_until timestamptz not null,
  status integer,
  body jsonb
);
create index idempotency_keys_created_at on idempotency_keys (created_at);

create table rate_limit_hits (
  key text primary key,
  hits integer not null,
  reset_at timestamptz not null
);
create index rate_limit_hits_reset_at on rate_limit_hits (reset_at);

create table install_locks (
  server text primary key,
  holder text not null,
  expires_at timestamptz not null
);

create table user_sessions (
  username text primary key,
  epoch integer not null default 0,
  fingerprint text,
  updated_at timestamptz not null
);

create table audit_entries (
  seq bigint generated always as identity primary key,
  id text not null unique,
  time timestamptz not null,
  event text not null,
  outcome text not null,
  username text,
  server text,
  task_id bigint,
  relates_to text,
  entry jsonb not null
);
-- The user and server filters match a part of the name, which no btree index serves: none is kept.
create index audit_entries_time on audit_entries (time);
create index audit_entries_event on audit_entries (event, outcome, seq);
create index audit_entries_relates_to on audit_entries (relates_to) where relates_to is not null;

-- Append-only: no update or truncate ever; a delete only from the retention job, which says so
-- first with "set local byoi.audit_retention = 'on'" in its own transaction.
create function audit_entries_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and current_setting('byoi.audit_retention', true) = 'on' then
    return old;
  end if;
  raise exception 'audit_entries is append-only: % is refused', tg_op
    using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_entries_append_only before update or delete on audit_entries
  for each row execute function audit_entries_append_only();
create trigger audit_entries_no_truncate before truncate on audit_entries
  for each statement execute function audit_entries_append_only();

create table images (
  id text primary key,
  name text not null,
  notes text not null default '',
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz
);
create unique index images_name on images (lower(name)) where archived_at is null;

create table image_versions (
  image_id text not null references images (id),
  version integer not null,
  image_url text not null,
  image_type text not null,
  checksum text,
  checksum_type text,
  checksum_file_url text,
  efi_bootloader_path text,
  http_headers jsonb not null default '[]',
  notes text not null default '',
  created_by text,
  created_at timestamptz not null,
  last_check jsonb,
  primary key (image_id, version)
);

create table installs (
  id text primary key,
  server text not null,
  task_id bigint not null,
  username text,
  role text,
  route text not null,
  submitted_at timestamptz not null,
  facts jsonb not null,
  image_id text references images (id),
  image_version integer,
  state text not null default 'running',
  message text,
  ended_at timestamptz,
  watch_owner text,
  watch_until timestamptz,
  constraint installs_state check (state in ('running', 'done', 'failed', 'cancelled', 'unknown'))
);
create index installs_server on installs (server, submitted_at desc);
create index installs_running on installs (watch_until) where state = 'running';
create index installs_image on installs (image_id, submitted_at desc) where image_id is not null;

create table store_meta (
  key text primary key,
  value text not null
);
`;

/** Each migration's SQL, by name; names sort in the order they apply. */
export const MIGRATION_SQL: Record<string, string> = {
  '0001_initial': INITIAL,
};

export const MIGRATIONS: Record<string, Migration> = Object.fromEntries(
  Object.entries(MIGRATION_SQL).map(([name, text]) => [name, sqlMigration(text)]),
);

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
