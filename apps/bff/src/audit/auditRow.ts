/**
 * An audit entry as a row of `audit_entries`: the whole entry in `entry`, and beside it the fields
 * `GET /api/audit` filters on and the order (`seq`, given by the store at insert).
 */
import type { Insertable, Kysely } from 'kysely';
import type { AuditEntryDto } from '@byoi/shared';
import type { AuditEntryTable, Database } from '../store/schema.ts';

export type AuditRow = Insertable<AuditEntryTable>;

/** A lone UTF-16 surrogate: JSON.stringify writes it as `\ud800`, which jsonb refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  }
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)]));
  }
  return value;
}

/**
 * The entry with every NUL and lone surrogate replaced by U+FFFD: PostgreSQL stores neither, and a
 * sign-in tried with such a name must not make its own entry (and its batch) fail.
 */
export function storableEntry(entry: AuditEntryDto): AuditEntryDto {
  return storable(entry) as AuditEntryDto;
}

export function toRow(entry: AuditEntryDto): AuditRow {
  return {
    id: entry.id,
    time: entry.time,
    event: entry.event,
    outcome: entry.outcome,
    username: entry.user ?? null,
    server: entry.server ?? null,
    task_id: entry.taskId ?? null,
    relates_to: entry.relatesTo ?? null,
    entry: JSON.stringify(entry),
  };
}

/** One multi-row insert, one round trip; with `skipKnown`, rows whose id is stored are left out. */
export async function insertRows(
  db: Kysely<Database>,
  rows: AuditRow[],
  { skipKnown = false } = {},
): Promise<number> {
  const insert = db.insertInto('audit_entries').values(rows);
  const result = await (
    skipKnown ? insert.onConflict((oc) => oc.column('id').doNothing()) : insert
  ).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}
