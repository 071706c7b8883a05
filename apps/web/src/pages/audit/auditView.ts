/**
 * The audit log screen as its address describes it: filters and the page's cursor in the search
 * params, one spelling per view (unset filters left out), anything the BFF would refuse dropped.
 */
import {
  AUDIT_EVENTS,
  AUDIT_OUTCOMES,
  type AuditEvent,
  type AuditOutcome,
  type AuditQuery,
} from '@byoi/shared';

export const AUDIT_PAGE_SIZE = 50;
const MAX_TEXT = 253;
const CURSOR = /^[ab]\d{1,15}$/;

export interface AuditView {
  user: string;
  server: string;
  event: AuditEvent | '';
  outcome: AuditOutcome | '';
  /** ISO 8601 in UTC, or ''. */
  from: string;
  to: string;
  cursor: string;
}

export type AuditFilters = Omit<AuditView, 'cursor'>;

export const NO_FILTERS: AuditFilters = {
  user: '',
  server: '',
  event: '',
  outcome: '',
  from: '',
  to: '',
};

function instant(text: string | null): string {
  if (!text) return '';
  const time = Date.parse(text);
  return Number.isNaN(time) ? '' : new Date(time).toISOString();
}

export function readView(params: URLSearchParams): AuditView {
  const event = params.get('event');
  const outcome = params.get('outcome');
  const cursor = params.get('cursor') ?? '';
  return {
    user: (params.get('user') ?? '').trim().slice(0, MAX_TEXT),
    server: (params.get('server') ?? '').trim().slice(0, MAX_TEXT),
    event: AUDIT_EVENTS.find((e) => e === event) ?? '',
    outcome: AUDIT_OUTCOMES.find((o) => o === outcome) ?? '',
    from: instant(params.get('from')),
    to: instant(params.get('to')),
    cursor: CURSOR.test(cursor) ? cursor : '',
  };
}

export function writeView(view: Partial<AuditView>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['user', 'server', 'event', 'outcome', 'from', 'to', 'cursor'] as const) {
    const value = view[key];
    if (value) params.set(key, value);
  }
  return params;
}

export function toQuery(view: AuditView, limit = AUDIT_PAGE_SIZE): AuditQuery {
  const query: AuditQuery = { limit };
  if (view.user) query.user = view.user;
  if (view.server) query.server = view.server;
  if (view.event) query.event = view.event;
  if (view.outcome) query.outcome = view.outcome;
  if (view.from) query.from = view.from;
  if (view.to) query.to = view.to;
  if (view.cursor) query.cursor = view.cursor;
  return query;
}

export function filtersOf(view: AuditView): AuditFilters {
  return {
    user: view.user,
    server: view.server,
    event: view.event,
    outcome: view.outcome,
    from: view.from,
    to: view.to,
  };
}

export function hasFilters(view: AuditView): boolean {
  return Object.keys(NO_FILTERS).some((key) => view[key as keyof AuditFilters] !== '');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a `datetime-local` input shows it: the operator's own clock, to the minute. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the operator's clock) as an ISO instant; '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  if (value === '') return '';
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? '' : new Date(time).toISOString();
}
