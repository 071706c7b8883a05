/**
 * The store's tables as Kysely sees them: one interface per table, column names as in the SQL of
 * migrations.ts. Times are `timestamptz` (read back as `Date`); 64-bit integers are read back as
 * numbers (store.ts sets the parser), which holds for OVH task ids and audit sequence numbers.
 */
import type { ColumnType, Generated } from 'kysely';
import type {
  ConsoleRole,
  InstallRoute,
  RolloutImageDto,
  RolloutMatrixDto,
  RolloutPlan,
  RolloutServerState,
  RolloutState,
  SubmittedInstallDto,
  WebhookDeliveryState,
  WebhookEventType,
} from '@byoi/shared';

/**
 * A jsonb column: read back parsed, written as JSON text (`JSON.stringify`), which both drivers
 * pass through as is (pg would turn a JavaScript array into a PostgreSQL array).
 */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One `Idempotency-Key` per user and server: pending until the first request's answer is in. */
export interface IdempotencyKeyTable {
  /** sha256(user, server, key). */
  id: string;
  fingerprint: string;
  created_at: Timestamp;
  /** While pending: the replica running the first request, and until when it may. */
  owner: string;
  lease_until: Timestamp;
  status: number | null;
  body: NullableJson<unknown>;
}

export interface RateLimitHitTable {
  key: string;
  hits: number;
  reset_at: Timestamp;
}

/** The one-install-per-server lock: a row per locked server, held until released or expired. */
export interface InstallLockTable {
  server: string;
  holder: string;
  expires_at: Timestamp;
}

/** Session revocation: a session sealed with an older epoch than its user's is over. */
export interface UserSessionTable {
  username: string;
  epoch: number;
  /** The user's role, servers and credential as last seen, to end sessions when they change. */
  fingerprint: string | null;
  updated_at: Timestamp;
}

/** Append-only (triggers refuse updates, truncation, and deletes outside the retention job). */
export interface AuditEntryTable {
  seq: Generated<number>;
  id: string;
  time: Timestamp;
  event: string;
  outcome: string;
  username: string | null;
  server: string | null;
  task_id: number | null;
  relates_to: string | null;
  /** The whole AuditEntryDto. */
  entry: Json<Record<string, unknown>>;
}

export type InstallRecordState = 'running' | 'done' | 'failed' | 'cancelled' | 'unknown';

/**
 * What an install was given, as far as the console keeps it: the facts the done page shows, the
 * header names (never their values), the user data's SHA-256, and whether the image URL lost parts
 * to redaction (its query values, userinfo).
 */
export interface InstallFacts extends SubmittedInstallDto {
  httpHeaderNames: string[];
  configDriveUserDataSha256: string | null;
  imageURLRedacted: boolean;
}

/** Every install the console started: its history, and the one record of whether it still runs. */
export interface InstallTable {
  /** The id of the submit's audit entry. */
  id: string;
  server: string;
  task_id: number;
  username: string | null;
  role: ConsoleRole | null;
  route: InstallRoute;
  submitted_at: Timestamp;
  /** What was installed. */
  facts: Json<InstallFacts>;
  image_id: string | null;
  image_version: number | null;
  state: InstallRecordState;
  message: string | null;
  ended_at: Timestamp | null;
  /** The watch: which replica asks OVH next about this install, and until when it holds it. */
  watch_owner: string | null;
  watch_until: Timestamp | null;
}

export interface ImageTable {
  id: string;
  name: string;
  notes: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
}

export interface ImageVersionTable {
  image_id: string;
  version: number;
  image_url: string;
  image_type: string;
  checksum: string | null;
  checksum_type: string | null;
  checksum_file_url: string | null;
  efi_bootloader_path: string | null;
  /** Values sealed with the secrets key (secrets/secretBox.ts): they never leave the BFF. */
  http_headers: Json<StoredHeader[]>;
  notes: string;
  created_by: string | null;
  created_at: Timestamp;
  /** The last preflight of this version (LibraryImageCheckDto). */
  last_check: NullableJson<StoredImageCheck>;
}

export interface StoredHeader {
  name: string;
  /** `v1.<iv>.<tag>.<ciphertext>`, bound to the image, version and header name. */
  value: string;
}

export interface StoredImageCheck {
  verdict: 'pass' | 'warn' | 'fail' | 'skipped';
  /** ISO 8601. */
  at: string;
  server: string;
  user: string | null;
  predictedMessage: string | null;
}

/** Facts about the store itself, e.g. which key the stored secrets were sealed with. */
export interface StoreMetaTable {
  key: string;
  value: string;
}

export interface RolloutTable {
  id: string;
  name: string;
  state: RolloutState;
  plan: Json<RolloutPlan>;
  /** The install form (ByoiForm) every server gets: sealed (`v1.…`) or, without a key, JSON. */
  form: string;
  image: Json<RolloutImageDto>;
  install_route: InstallRoute;
  created_by: string | null;
  created_role: ConsoleRole | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  version: Generated<number>;
  matrix: NullableJson<RolloutMatrixDto>;
  check_error: string | null;
  needs_driver: Generated<boolean>;
  driver_owner: string | null;
  driver_until: Timestamp | null;
}

export interface RolloutServerTable {
  rollout_id: string;
  position: number;
  server: string;
  display_name: string | null;
  datacenter: string | null;
  state: Generated<RolloutServerState>;
  wave: number | null;
  profile: string | null;
  message: string | null;
  /** When the driver decided to start the install, before it asked OVH. */
  claimed_at: Timestamp | null;
  install_id: string | null;
  task_id: number | null;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  cancel_requested: Generated<boolean>;
}

export interface RolloutEventTable {
  seq: Generated<number>;
  rollout_id: string;
  at: Timestamp;
  kind: string;
  server: string | null;
  message: string;
  username: string | null;
}

export interface WebhookTable {
  id: string;
  url: string;
  events: Json<WebhookEventType[]>;
  description: string;
  /** Sealed with the secrets key (secrets/secretBox.ts). */
  secret: string;
  previous_secret: string | null;
  previous_until: Timestamp | null;
  enabled: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface StoredAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  status: number | null;
  error: string | null;
}

export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: WebhookEventType;
  body: string;
  created_at: Timestamp;
  state: Generated<WebhookDeliveryState>;
  attempts: ColumnType<StoredAttempt[], string | undefined, string>;
  next_attempt_at: Timestamp | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
}

export interface Database {
  idempotency_keys: IdempotencyKeyTable;
  rate_limit_hits: RateLimitHitTable;
  install_locks: InstallLockTable;
  user_sessions: UserSessionTable;
  audit_entries: AuditEntryTable;
  installs: InstallTable;
  images: ImageTable;
  image_versions: ImageVersionTable;
  store_meta: StoreMetaTable;
  rollouts: RolloutTable;
  rollout_servers: RolloutServerTable;
  rollout_events: RolloutEventTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
}
