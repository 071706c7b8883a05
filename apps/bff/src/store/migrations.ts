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

/** Fleet rollouts (routes/rollouts.ts, rollouts/driver.ts) and webhooks (webhooks/). */
const ROLLOUTS = `
create table rollouts (
  id text primary key,
  name text not null,
  state text not null,
  plan jsonb not null,
  -- The install form every server gets, sealed with the secrets key when the console has one.
  form text not null,
  -- What the screens show of the image (RolloutImageDto): never a header value.
  image jsonb not null,
  install_route text not null,
  created_by text,
  created_role text,
  created_at timestamptz not null,
  started_at timestamptz,
  ended_at timestamptz,
  -- Bumped by every change: a writer that read an older one lost a race and reads again.
  version integer not null default 0,
  matrix jsonb,
  check_error text,
  -- Whether a driver has work here (a check to run, installs to start or to follow).
  needs_driver boolean not null default true,
  driver_owner text,
  driver_until timestamptz,
  constraint rollouts_state check (state in
    ('planned', 'checking', 'ready', 'running', 'paused', 'done', 'failed', 'aborted'))
);
create index rollouts_created on rollouts (created_at desc, id desc);
create index rollouts_driven on rollouts (driver_until) where needs_driver;

create table rollout_servers (
  rollout_id text not null references rollouts (id),
  position integer not null,
  server text not null,
  display_name text,
  datacenter text,
  state text not null default 'pending',
  wave integer,
  profile text,
  message text,
  -- Set when the driver decided to start the install, before it asked OVH.
  claimed_at timestamptz,
  install_id text,
  task_id bigint,
  started_at timestamptz,
  ended_at timestamptz,
  cancel_requested boolean not null default false,
  primary key (rollout_id, server),
  constraint rollout_servers_state check (state in
    ('pending', 'blocked', 'installing', 'done', 'failed', 'skipped', 'cancelled'))
);
create index rollout_servers_position on rollout_servers (rollout_id, position);

create table rollout_events (
  seq bigint generated always as identity primary key,
  rollout_id text not null references rollouts (id),
  at timestamptz not null,
  kind text not null,
  server text,
  message text not null,
  username text
);
create index rollout_events_rollout on rollout_events (rollout_id, seq);

create table webhooks (
  id text primary key,
  url text not null,
  events jsonb not null,
  description text not null default '',
  -- Sealed with the secrets key; the previous one signs too until previous_until (rotation).
  secret text not null,
  previous_secret text,
  previous_until timestamptz,
  enabled boolean not null default true,
  created_by text,
  created_at timestamptz not null,
  deleted_at timestamptz
);

create table webhook_deliveries (
  id text primary key,
  webhook_id text not null references webhooks (id),
  event_id text not null,
  event_type text not null,
  -- The exact bytes signed and sent (webhooks/event.ts), the same on every attempt.
  body text not null,
  created_at timestamptz not null,
  state text not null default 'pending',
  attempts jsonb not null default '[]',
  next_attempt_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  unique (webhook_id, event_id),
  constraint webhook_deliveries_state check (state in ('pending', 'delivered', 'failed', 'refused'))
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';
create index webhook_deliveries_hook on webhook_deliveries (webhook_id, created_at desc);
`;

/** Each migration's SQL, by name; names sort in the order they apply. */
export const MIGRATION_SQL: Record<string, string> = {
  '0001_initial': INITIAL,
  '0002_rollouts': ROLLOUTS,
};

export const MIGRATIONS: Record<string, Migration> = Object.fromEntries(
  Object.entries(MIGRATION_SQL).map(([name, text]) => [name, sqlMigration(text)]),
);

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
