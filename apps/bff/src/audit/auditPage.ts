/**
 * A page of `audit_entries` in SQL: the filters of `GET /api/audit` as a WHERE clause, newest first
 * by `seq`, and cursors over `seq` — `b<seq>` for the entries before (older than) an entry, `a<seq>`
 * for those after (newer than) it.
 */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { AuditEntryDto, AuditListResponse } from '@byoi/shared';
import type { Database } from '../store/schema.ts';
import {
  AuditQueryError,
  encodeCursor,
  type AuditFilter,
  type AuditPageRequest,
} from './auditQuery.ts';

type Where = ExpressionBuilder<Database, 'audit_entries'>;

/** `%`, `_` and `\` in a filter are the characters themselves, not LIKE's wildcards. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

function matching(filter: AuditFilter) {
  return (eb: Where) => {
    const all: Expression<SqlBool>[] = [];
    // The filter is lower case already (auditQuery.ts).
    if (filter.user !== undefined) {
      all.push(eb(eb.fn<string>('lower', [eb.ref('username')]), 'like', containing(filter.user)));
    }
    if (filter.server !== undefined) {
      all.push(eb(eb.fn<string>('lower', [eb.ref('server')]), 'like', containing(filter.server)));
    }
    if (filter.events) all.push(eb('event', 'in', [...filter.events]));
    if (filter.outcomes) all.push(eb('outcome', 'in', [...filter.outcomes]));
    if (filter.from !== undefined) all.push(eb('time', '>=', new Date(filter.from)));
    if (filter.to !== undefined) all.push(eb('time', '<', new Date(filter.to)));
    return eb.and(all);
  };
}

function staleCursor(): AuditQueryError {
  return new AuditQueryError(
    'cursor',
    'does not point into this audit log (it may come from another console or another store): start again from the newest page, without cursor.',
  );
}

export async function readPage(
  db: Kysely<Database>,
  { filter, limit, cursor }: AuditPageRequest,
): Promise<AuditListResponse> {
  if (cursor) {
    // Every cursor this log gives is at most one past its newest entry.
    const { newest } = await db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.max('seq').as('newest'))
      .executeTakeFirstOrThrow();
    if (cursor.seq > (newest ?? 0) + 1) throw staleCursor();
  }
  return cursor?.direction === 'after'
    ? newer(db, filter, limit, cursor.seq)
    : older(db, filter, limit, cursor?.seq);
}

interface Row {
  seq: number;
  entry: Record<string, unknown>;
}

const entries = (rows: Row[]) => rows.map((r) => r.entry as unknown as AuditEntryDto);

async function any(
  db: Kysely<Database>,
  filter: AuditFilter,
  side: '<' | '>',
  seq: number,
): Promise<boolean> {
  const found = await db
    .selectFrom('audit_entries')
    .select('seq')
    .where(matching(filter))
    .where('seq', side, seq)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** Newest first, from just before `before` (or from the newest entry). */
async function older(
  db: Kysely<Database>,
  filter: AuditFilter,
  limit: number,
  before: number | undefined,
): Promise<AuditListResponse> {
  let query = db
    .selectFrom('audit_entries')
    .select(['seq', 'entry'])
    .where(matching(filter))
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (before !== undefined) query = query.where('seq', '<', before);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const oldest = page.at(-1);
  // Newer than this page: after its first entry, or, on an empty page, from the cursor on.
  const newestSeen = page[0]?.seq ?? (before === undefined ? null : Math.max(before - 1, 0));
  return {
    entries: entries(page),
    nextCursor:
      rows.length > limit && oldest ? encodeCursor({ direction: 'before', seq: oldest.seq }) : null,
    prevCursor:
      newestSeen !== null && (await any(db, filter, '>', newestSeen))
        ? encodeCursor({ direction: 'after', seq: newestSeen })
        : null,
  };
}

/** The `limit` entries just after `after`, oldest of them first in the query, newest first in the page. */
async function newer(
  db: Kysely<Database>,
  filter: AuditFilter,
  limit: number,
  after: number,
): Promise<AuditListResponse> {
  const rows = await db
    .selectFrom('audit_entries')
    .select(['seq', 'entry'])
    .where(matching(filter))
    .where('seq', '>', after)
    .orderBy('seq', 'asc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).reverse();
  const newest = page[0];
  // Older than this page: before its last entry, or, on an empty page, up to the cursor.
  const oldestSeen = page.at(-1)?.seq ?? after + 1;
  return {
    entries: entries(page),
    nextCursor: (await any(db, filter, '<', oldestSeen))
      ? encodeCursor({ direction: 'before', seq: oldestSeen })
      : null,
    prevCursor:
      rows.length > limit && newest ? encodeCursor({ direction: 'after', seq: newest.seq }) : null,
  };
}
