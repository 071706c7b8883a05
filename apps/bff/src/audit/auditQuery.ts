/**
 * `GET /api/audit`'s query: filters (user, server, event, outcome, time range), a page size and a
 * cursor. Every refusal names the parameter and shows a value that works.
 */
import { z } from 'zod';
import { AUDIT_EVENTS, AUDIT_OUTCOMES, type AuditEvent, type AuditOutcome } from '@byoi/shared';

export const MAX_AUDIT_ENTRIES = 1000;
export const DEFAULT_AUDIT_ENTRIES = 100;

/** A page boundary: the entries before (older than) or after (newer than) a sequence number. */
export type AuditCursor = { direction: 'before' | 'after'; seq: number };

export interface AuditFilter {
  user?: string;
  server?: string;
  events?: ReadonlySet<AuditEvent>;
  outcomes?: ReadonlySet<AuditOutcome>;
  /** Epoch milliseconds; from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

export interface AuditPageRequest {
  filter: AuditFilter;
  limit: number;
  cursor?: AuditCursor;
}

const EXAMPLES: Record<string, string> = {
  user: 'user=olivia',
  server: 'server=ns1234567',
  event: 'event=install,cancel',
  outcome: 'outcome=failed,refused',
  from: 'from=2026-11-26T09:00:00Z',
  to: 'to=2026-11-26T18:00:00%2B01:00',
  limit: 'limit=100',
  cursor: 'cursor=b1200',
};

export const AUDIT_QUERY_PARAMETERS = Object.keys(EXAMPLES);

export class AuditQueryError extends Error {
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    const example = EXAMPLES[parameter] ?? 'event=install&outcome=failed&limit=50';
    super(`${parameter} ${problem} For example: /api/audit?${example}`);
    this.name = 'AuditQueryError';
  }
}

const CURSOR = /^([ba])(\d{1,15})$/;

const text = (what: string) =>
  z
    .string({ error: `must be given once, as text (${what}).` })
    .trim()
    .max(253, { error: 'must be at most 253 characters.' })
    .transform((value) => (value === '' ? undefined : value.toLowerCase()));

function oneOf<T extends string>(values: readonly T[]) {
  return z
    .string({
      error: `must be given once: one of ${values.join(', ')}, or several separated by commas.`,
    })
    .transform((raw, ctx) => {
      const picked = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const unknown = picked.filter((item) => !values.includes(item as T));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `has ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')}, which is not one of ${values.join(', ')}.`,
        });
        return z.NEVER;
      }
      return picked.length === 0 ? undefined : new Set(picked as T[]);
    });
}

/** A date-time with its zone (seconds optional): without one, whose 09:00 would it be? */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const instant = z
  .string({ error: 'must be given once, as an ISO 8601 date-time with a time zone.' })
  .trim()
  .transform((raw, ctx) => {
    if (raw === '') return undefined;
    const time = Date.parse(raw);
    if (!ISO_INSTANT.test(raw) || Number.isNaN(time)) {
      ctx.addIssue({
        code: 'custom',
        message: `is not an ISO 8601 date-time with a time zone (got "${raw.slice(0, 40)}"); write it as 2026-11-26T09:00:00Z or with an offset (+01:00, sent as %2B01:00).`,
      });
      return z.NEVER;
    }
    return time;
  });

const querySchema = z.strictObject({
  user: text('part of a user name').optional(),
  server: text('part of a server name').optional(),
  event: oneOf(AUDIT_EVENTS).optional(),
  outcome: oneOf(AUDIT_OUTCOMES).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z
    .string({ error: `must be given once, as a whole number from 1 to ${MAX_AUDIT_ENTRIES}.` })
    .regex(/^\d{1,4}$/, { error: `must be a whole number from 1 to ${MAX_AUDIT_ENTRIES}.` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_AUDIT_ENTRIES, {
      error: `must be a whole number from 1 to ${MAX_AUDIT_ENTRIES}.`,
    })
    .optional(),
  cursor: z
    .string({ error: 'must be given once.' })
    .regex(CURSOR, {
      error:
        'is not a cursor of this audit log: pass nextCursor or prevCursor as answered, unchanged.',
    })
    .optional(),
});

export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.direction === 'before' ? 'b' : 'a'}${cursor.seq}`;
}

/** The query as the router receives it (Express's parsed `req.query`) → a page request. */
export function parseAuditQuery(query: unknown): AuditPageRequest {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new AuditQueryError(
        issue.keys[0] ?? '?',
        `is not a parameter of the audit log. Use ${AUDIT_QUERY_PARAMETERS.join(', ')}.`,
      );
    }
    const parameter = String(issue?.path[0] ?? 'query');
    throw new AuditQueryError(parameter, issue?.message ?? 'is not understood.');
  }
  const q = parsed.data;
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
    throw new AuditQueryError('to', 'must be later than from.');
  }
  const filter: AuditFilter = {};
  if (q.user !== undefined) filter.user = q.user;
  if (q.server !== undefined) filter.server = q.server;
  if (q.event !== undefined) filter.events = q.event;
  if (q.outcome !== undefined) filter.outcomes = q.outcome;
  if (q.from !== undefined) filter.from = q.from;
  if (q.to !== undefined) filter.to = q.to;
  const request: AuditPageRequest = { filter, limit: q.limit ?? DEFAULT_AUDIT_ENTRIES };
  const cursor = q.cursor === undefined ? null : CURSOR.exec(q.cursor);
  if (cursor) {
    request.cursor = {
      direction: cursor[1] === 'b' ? 'before' : 'after',
      seq: Number(cursor[2]),
    };
  }
  return request;
}
