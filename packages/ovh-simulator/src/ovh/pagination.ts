/**
 * OVH API v1's expanded list pages: a list route asked with `X-Pagination-Mode` answers full
 * objects, filtered, sorted and cut into pages by the `X-Pagination-*` request headers, with the
 * total in `X-Pagination-Elements` and the pagination headers echoed back. The header names and
 * operators are those OVH's Control Panel sends; the refusal texts are the simulator's own.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../http/ovhError.ts';

export const MODE_HEADER = 'X-Pagination-Mode';
export const SIZE_HEADER = 'X-Pagination-Size';
export const NUMBER_HEADER = 'X-Pagination-Number';
export const CURSOR_HEADER = 'X-Pagination-Cursor';
export const SORT_HEADER = 'X-Pagination-Sort';
export const SORT_ORDER_HEADER = 'X-Pagination-Sort-Order';
export const FILTER_HEADER = 'X-Pagination-Filter';
export const ELEMENTS_HEADER = 'X-Pagination-Elements';
export const CURSOR_NEXT_HEADER = 'X-Pagination-Cursor-Next';

/** The request headers echoed back as sent, in OVH's spelling. */
const ECHOED_HEADERS = [
  MODE_HEADER,
  SIZE_HEADER,
  NUMBER_HEADER,
  CURSOR_HEADER,
  SORT_HEADER,
  SORT_ORDER_HEADER,
  FILTER_HEADER,
] as const;

export const PAGES_MODE = 'CachedObjectList-Pages';
export const CURSOR_MODE = 'CachedObjectList-Cursor';
/** OVH's Control Panel asks pages of up to 5000 objects; the simulator allows no more. */
export const MAX_PAGE_SIZE = 5000;
/** A request without `X-Pagination-Size` gets what the Control Panel asks by default. */
export const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;

export const FILTER_OPERATORS = ['eq', 'ne', 'lt', 'gt', 'like', 'in'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** A field's type once null is set aside: it decides how filter values are read and compared. */
export type FieldKind = 'string' | 'number' | 'boolean';
type Scalar = string | number | boolean;

/** What a list exposes to sorting and filtering. */
export interface ListSchema {
  /** OVH's name of the object type, for messages (`dedicated.server.Task`). */
  type: string;
  /** The scalar fields by dotted path (`iam.displayName`), with their kind. */
  fields: Readonly<Record<string, FieldKind>>;
  /** The object's identifier, a field above: the default sort and the tie-breaker. */
  key: string;
}

export type SortOrder = 'ASC' | 'DESC';

export interface Filter {
  field: string;
  operator: FilterOperator;
  /** Reads the field and tests it. */
  accepts(object: unknown): boolean;
}

export interface PageRequest {
  mode: 'pages' | 'cursor';
  size: number;
  /** Pages mode: from 1. */
  number: number;
  /** Cursor mode: where the page starts (0 without `X-Pagination-Cursor`). */
  offset: number;
  sort: string;
  order: SortOrder;
  filters: readonly Filter[];
  /** Ties a cursor to the list, sort and filters it was given for. */
  fingerprint: string;
  /** The pagination headers as sent, to echo back. */
  echo: Readonly<Record<string, string>>;
}

export interface Page<T> {
  items: T[];
  /** Response headers: the total, the echoes and, in cursor mode, the next cursor. */
  headers: Record<string, string>;
}

type HeaderReader = (name: string) => string | undefined;

/** Long header values are cut in messages: the point is to say which one, not to repeat it. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
}

function refuse(header: string, message: string) {
  return badRequest(`Invalid ${header} header: ${message}`);
}

function fieldList(schema: ListSchema): string {
  return Object.keys(schema.fields).join(', ');
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text) : null;
}

function decodeOnce(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The page a request asks for, or null without `X-Pagination-Mode` (the route then answers as it
 * always has). Throws OVH's 400 for any header it cannot read. `scope` names the list (route and
 * query), so that a cursor of one list is not followed on another.
 */
export function readPageRequest(
  header: HeaderReader,
  schema: ListSchema,
  scope: string,
): PageRequest | null {
  const modeText = header(MODE_HEADER);
  if (modeText === undefined) return null;
  const mode = modeText === PAGES_MODE ? 'pages' : modeText === CURSOR_MODE ? 'cursor' : null;
  if (mode === null) {
    throw refuse(
      MODE_HEADER,
      `${quoted(modeText)} is not a pagination mode; use ${PAGES_MODE} or ${CURSOR_MODE}`,
    );
  }

  const sizeText = header(SIZE_HEADER);
  let size = DEFAULT_PAGE_SIZE;
  if (sizeText !== undefined) {
    const value = wholeNumber(sizeText);
    if (value === null || value < 1 || value > MAX_PAGE_SIZE) {
      throw refuse(
        SIZE_HEADER,
        `${quoted(sizeText)} is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE}`,
      );
    }
    size = value;
  }

  let number = 1;
  const numberText = header(NUMBER_HEADER);
  if (mode === 'pages' && numberText !== undefined) {
    const value = wholeNumber(numberText);
    if (value === null || value < 1) {
      throw refuse(
        NUMBER_HEADER,
        `${quoted(numberText)} is not a page number; use a whole number from 1 (the first page)`,
      );
    }
    number = value;
  }

  const sortText = header(SORT_HEADER);
  let sort = schema.key;
  if (sortText !== undefined) {
    const field = decodeOnce(sortText);
    if (field === null || !Object.hasOwn(schema.fields, field)) {
      throw refuse(
        SORT_HEADER,
        `${quoted(sortText)} is not a field of ${schema.type} to sort by; use one of ${fieldList(schema)}`,
      );
    }
    sort = field;
  }

  const orderText = header(SORT_ORDER_HEADER);
  let order: SortOrder = 'ASC';
  if (orderText !== undefined) {
    if (orderText !== 'ASC' && orderText !== 'DESC') {
      throw refuse(SORT_ORDER_HEADER, `${quoted(orderText)} is not a sort order; use ASC or DESC`);
    }
    order = orderText;
  }

  const filterText = header(FILTER_HEADER) ?? '';
  const filters =
    filterText.trim() === '' ? [] : filterText.split('&').map((part) => readFilter(part, schema));

  const fingerprint = createHash('sha1')
    .update(JSON.stringify([scope, sort, order, filterText]))
    .digest('base64url')
    .slice(0, 12);

  let offset = 0;
  const cursorText = header(CURSOR_HEADER);
  if (mode === 'cursor' && cursorText !== undefined) {
    const read = readCursor(cursorText);
    if (read === null || read.fingerprint !== fingerprint) {
      throw refuse(
        CURSOR_HEADER,
        `${quoted(cursorText)} is not a cursor this list gave with this sort and filter; ` +
          `start without ${CURSOR_HEADER} and send the ${CURSOR_NEXT_HEADER} of each answer`,
      );
    }
    offset = read.offset;
  }

  const echo: Record<string, string> = {};
  for (const name of ECHOED_HEADERS) {
    const value = header(name);
    if (value !== undefined) echo[name] = value;
  }
  return { mode, size, number, offset, sort, order, filters, fingerprint, echo };
}

/** `field:operator=value`: the field and value URL-encoded, `in` values encoded one by one. */
function readFilter(part: string, schema: ListSchema): Filter {
  const shape = /^([^:=]+):([^=]+)=(.*)$/s.exec(part);
  const unreadable = (why: string) =>
    refuse(
      FILTER_HEADER,
      `${quoted(part)} ${why}; write each filter as field:operator=value, joined by &`,
    );
  if (!shape) throw unreadable('does not read as field:operator=value');
  const [, rawField = '', operator = '', rawValue = ''] = shape;
  const field = decodeOnce(rawField);
  if (field === null) throw unreadable('has a field that is not URL-encoded');
  const kind = schema.fields[field];
  if (!Object.hasOwn(schema.fields, field) || kind === undefined) {
    throw refuse(
      FILTER_HEADER,
      `${quoted(part)}: ${quoted(field)} is not a field of ${schema.type} to filter on; use one of ${fieldList(schema)}`,
    );
  }
  if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
    throw refuse(
      FILTER_HEADER,
      `${quoted(part)}: ${quoted(operator)} is not an operator; use ${FILTER_OPERATORS.join(', ')}`,
    );
  }
  const op = operator as FilterOperator;
  const decoded = (op === 'in' ? rawValue.split(',') : [rawValue]).map(decodeOnce);
  if (decoded.some((value) => value === null)) {
    throw unreadable('has a value that is not URL-encoded (a % is sent as %25)');
  }
  const texts = decoded as string[];
  const read = fieldReader(field);
  const filter = (matches: (value: Scalar | null) => boolean): Filter => ({
    field,
    operator: op,
    accepts: (object) => matches(read(object)),
  });

  if (op === 'like') {
    // `%` is the only wildcard; everything else matches itself, without regard to case.
    const pattern = texts[0]
      ?.split('%')
      .map((chunk) => chunk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const like = new RegExp(`^${pattern ?? ''}$`, 'isu');
    return filter((value) => value !== null && like.test(String(value)));
  }
  const values = texts.map((text) => {
    const value = readScalar(kind, text);
    if (value === null) {
      throw refuse(
        FILTER_HEADER,
        `${quoted(part)}: ${field} is a ${kind === 'number' ? 'number' : 'boolean (true or false)'}, ${quoted(text)} is not one`,
      );
    }
    return value;
  });
  const compare = COMPARE[kind];
  const [first] = values as [Scalar];
  switch (op) {
    case 'eq':
      return filter((value) => value !== null && compare(value, first) === 0);
    case 'ne':
      return filter((value) => value === null || compare(value, first) !== 0);
    case 'lt':
      return filter((value) => value !== null && compare(value, first) < 0);
    case 'gt':
      return filter((value) => value !== null && compare(value, first) > 0);
    case 'in':
      return filter((value) => value !== null && values.some((v) => compare(value, v) === 0));
  }
}

function readScalar(kind: FieldKind, text: string): Scalar | null {
  if (kind === 'string') return text;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : null;
}

/**
 * Code-point order. UTF-16 code units put U+E000–U+FFFF after the surrogates that encode
 * U+10000 and above; shifting both ranges at the first difference puts them in code-point order.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Values of one field share its kind, so each comparison knows its operands' type. */
const COMPARE: Record<FieldKind, (a: Scalar, b: Scalar) => number> = {
  string: (a, b) => compareCodePoints(a as string, b as string),
  number: (a, b) => (a as number) - (b as number),
  boolean: (a, b) => Number(a) - Number(b),
};

/** A reader of a dotted path of plain objects; anything not a scalar reads as missing. */
export function fieldReader(path: string): (object: unknown) => Scalar | null {
  const names = path.split('.');
  return (object) => {
    let value: unknown = object;
    for (const name of names) {
      if (typeof value !== 'object' || value === null) return null;
      value = (value as Record<string, unknown>)[name];
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? value
      : null;
  };
}

/**
 * Filters, sorts and cuts one page out of `objects` (every object of the list, in any order).
 * Sorting is stable whatever the input order: ties go by the schema's key, ascending; null and
 * missing values come last in either order.
 */
export function paginate<T>(
  objects: readonly T[],
  request: PageRequest,
  schema: ListSchema,
): Page<T> {
  const sortKind = schema.fields[request.sort] ?? 'string';
  const keyKind = schema.fields[schema.key] ?? 'string';
  const compareSort = COMPARE[sortKind];
  const compareKey = COMPARE[keyKind];
  const direction = request.order === 'DESC' ? -1 : 1;
  const readSort = fieldReader(request.sort);
  const readKey = fieldReader(schema.key);

  // Fields are read once per object, not once per comparison.
  const rows: { object: T; sort: Scalar | null; key: Scalar | null }[] = [];
  for (const object of objects) {
    if (!request.filters.every((filter) => filter.accepts(object))) continue;
    rows.push({ object, sort: readSort(object), key: readKey(object) });
  }
  rows.sort((a, b) => {
    if (a.sort !== b.sort) {
      if (a.sort === null) return 1;
      if (b.sort === null) return -1;
      const order = compareSort(a.sort, b.sort) * direction;
      if (order !== 0) return order;
    }
    if (a.key === null || b.key === null) return a.key === null ? (b.key === null ? 0 : 1) : -1;
    return compareKey(a.key, b.key);
  });

  const total = rows.length;
  const start = request.mode === 'pages' ? (request.number - 1) * request.size : request.offset;
  const items = rows.slice(start, start + request.size).map((row) => row.object);
  const headers: Record<string, string> = { ...request.echo, [ELEMENTS_HEADER]: String(total) };
  if (request.mode === 'cursor' && start + request.size < total) {
    headers[CURSOR_NEXT_HEADER] = writeCursor(start + request.size, request.fingerprint);
  }
  return { items, headers };
}

/** Opaque to clients: where the next page starts, and which list, sort and filters it belongs to. */
function writeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(`${offset}:${fingerprint}`, 'utf8').toString('base64url');
}

function readCursor(text: string): { offset: number; fingerprint: string } | null {
  const shape = /^(\d+):([\w-]+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!shape) return null;
  return { offset: Number(shape[1]), fingerprint: shape[2] ?? '' };
}
