import { describe, expect, it } from 'vitest';
import { OvhError } from '../http/ovhError.ts';
import {
  CURSOR_NEXT_HEADER,
  ELEMENTS_HEADER,
  MAX_PAGE_SIZE,
  compareCodePoints,
  fieldReader,
  paginate,
  readPageRequest,
} from './pagination.ts';
import type { ListSchema, PageRequest } from './pagination.ts';

/** A small list with every kind of field, a nested one and nulls. */
const THINGS: ListSchema = {
  type: 'test.Thing',
  key: 'name',
  fields: {
    name: 'string',
    size: 'number',
    on: 'boolean',
    note: 'string',
    'meta.label': 'string',
    'meta.rank': 'number',
  },
};

interface Thing {
  name: string;
  size: number | null;
  on: boolean;
  note: string | null;
  meta: { label: string | null; rank: number } | null;
}

const thing = (
  name: string,
  size: number | null,
  on: boolean,
  note: string | null,
  label: string | null,
  rank = 0,
): Thing => ({ name, size, on, note, meta: label === null ? null : { label, rank } });

const ITEMS: readonly Thing[] = [
  thing('delta', 40, true, 'Web front', 'Prod-West', 2),
  thing('alpha', 10, false, 'web back', 'prod-east', 1),
  thing('echo', null, true, null, null),
  thing('charlie', 30, false, 'db primary', 'Staging', 3),
  thing('bravo', 20, true, 'DB replica', 'prod-east', 1),
];

/** Headers as an HTTP layer hands them over: any case. */
function headers(values: Record<string, string>) {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return (name: string) => lower.get(name.toLowerCase());
}

function request(values: Record<string, string>, schema = THINGS, scope = 'things'): PageRequest {
  const read = readPageRequest(
    headers({ 'X-Pagination-Mode': 'CachedObjectList-Pages', ...values }),
    schema,
    scope,
  );
  if (!read) throw new Error('expected a page request');
  return read;
}

function page(values: Record<string, string>, items: readonly Thing[] = ITEMS) {
  return paginate(items, request(values), THINGS);
}

const names = (values: Record<string, string>, items: readonly Thing[] = ITEMS) =>
  page(values, items).items.map((t) => t.name);

function refusal(values: Record<string, string>, mode = 'CachedObjectList-Pages'): OvhError {
  try {
    readPageRequest(headers({ 'X-Pagination-Mode': mode, ...values }), THINGS, 'things');
  } catch (error) {
    if (error instanceof OvhError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be refused`);
}

describe('readPageRequest: what the X-Pagination-* headers ask for', () => {
  it('is null without X-Pagination-Mode, whatever else is sent (the route answers ids)', () => {
    expect(readPageRequest(headers({}), THINGS, 'things')).toBeNull();
    expect(
      readPageRequest(
        headers({ 'X-Pagination-Size': '0', 'X-Pagination-Sort': 'nope' }),
        THINGS,
        'things',
      ),
    ).toBeNull();
  });

  it('defaults to the first page of 5000, sorted by the key, ascending, unfiltered', () => {
    const read = request({});
    expect(read).toMatchObject({
      mode: 'pages',
      size: MAX_PAGE_SIZE,
      number: 1,
      sort: 'name',
      order: 'ASC',
      filters: [],
    });
  });

  it('reads every header, the sort field URL-decoded once', () => {
    const read = request({
      'X-Pagination-Size': '2',
      'X-Pagination-Number': '3',
      'X-Pagination-Sort': 'meta%2Elabel',
      'X-Pagination-Sort-Order': 'DESC',
      'X-Pagination-Filter': 'size:gt=1&on:eq=true',
    });
    expect(read).toMatchObject({ size: 2, number: 3, sort: 'meta.label', order: 'DESC' });
    expect(read.filters.map((f) => [f.field, f.operator])).toEqual([
      ['size', 'gt'],
      ['on', 'eq'],
    ]);
  });

  it('reads cursor mode, where X-Pagination-Number means nothing', () => {
    const read = readPageRequest(
      headers({ 'X-Pagination-Mode': 'CachedObjectList-Cursor', 'X-Pagination-Number': '0' }),
      THINGS,
      'things',
    );
    expect(read).toMatchObject({ mode: 'cursor', offset: 0, number: 1 });
  });

  it('accepts sizes 1 and 5000 and any page number from 1', () => {
    expect(request({ 'X-Pagination-Size': '1' }).size).toBe(1);
    expect(request({ 'X-Pagination-Size': '5000' }).size).toBe(5000);
    expect(request({ 'X-Pagination-Number': '1' }).number).toBe(1);
    expect(request({ 'X-Pagination-Number': '100000' }).number).toBe(100000);
  });
});

describe('readPageRequest: refusals name the header and what it accepts', () => {
  const cases: [string, Record<string, string>, string, string?][] = [
    [
      'an unknown mode',
      {},
      'Invalid X-Pagination-Mode header: "CachedObjectList" is not a pagination mode; use CachedObjectList-Pages or CachedObjectList-Cursor',
      'CachedObjectList',
    ],
    ['an empty mode', {}, 'Invalid X-Pagination-Mode header: "" is not a pagination mode', ''],
    [
      'a size of 0',
      { 'X-Pagination-Size': '0' },
      'Invalid X-Pagination-Size header: "0" is not a page size; use a whole number from 1 to 5000',
    ],
    [
      'a size over 5000',
      { 'X-Pagination-Size': '5001' },
      'Invalid X-Pagination-Size header: "5001"',
    ],
    [
      'a fractional size',
      { 'X-Pagination-Size': '2.5' },
      'Invalid X-Pagination-Size header: "2.5"',
    ],
    ['a negative size', { 'X-Pagination-Size': '-1' }, 'Invalid X-Pagination-Size header: "-1"'],
    ['a size in words', { 'X-Pagination-Size': 'ten' }, 'Invalid X-Pagination-Size header: "ten"'],
    [
      'page 0',
      { 'X-Pagination-Number': '0' },
      'Invalid X-Pagination-Number header: "0" is not a page number; use a whole number from 1 (the first page)',
    ],
    ['page -1', { 'X-Pagination-Number': '-1' }, 'Invalid X-Pagination-Number header: "-1"'],
    ['page x', { 'X-Pagination-Number': 'x' }, 'Invalid X-Pagination-Number header: "x"'],
    [
      'an unknown sort field',
      { 'X-Pagination-Sort': 'colour' },
      'Invalid X-Pagination-Sort header: "colour" is not a field of test.Thing to sort by; use one of name, size, on, note, meta.label, meta.rank',
    ],
    [
      'an object as sort field',
      { 'X-Pagination-Sort': 'meta' },
      '"meta" is not a field of test.Thing',
    ],
    [
      'an inherited name as sort field',
      { 'X-Pagination-Sort': 'constructor' },
      '"constructor" is not a field',
    ],
    [
      'a lower-case order',
      { 'X-Pagination-Sort-Order': 'asc' },
      'Invalid X-Pagination-Sort-Order header: "asc" is not a sort order; use ASC or DESC',
    ],
    ['an unknown order', { 'X-Pagination-Sort-Order': 'UP' }, '"UP" is not a sort order'],
    [
      'a filter without operator',
      { 'X-Pagination-Filter': 'name=alpha' },
      'Invalid X-Pagination-Filter header: "name=alpha" does not read as field:operator=value; write each filter as field:operator=value, joined by &',
    ],
    ['a filter without value', { 'X-Pagination-Filter': 'name:eq' }, '"name:eq" does not read'],
    ['a filter without field', { 'X-Pagination-Filter': ':eq=a' }, '":eq=a" does not read'],
    ['an empty filter part', { 'X-Pagination-Filter': 'name:eq=a&' }, '"" does not read'],
    [
      'a filter on an unknown field',
      { 'X-Pagination-Filter': 'colour:eq=red' },
      'Invalid X-Pagination-Filter header: "colour:eq=red": "colour" is not a field of test.Thing to filter on; use one of name, size, on, note, meta.label, meta.rank',
    ],
    [
      'an unknown operator',
      { 'X-Pagination-Filter': 'name:has=a' },
      'Invalid X-Pagination-Filter header: "name:has=a": "has" is not an operator; use eq, ne, lt, gt, like, in',
    ],
    [
      'a value that is not URL-encoded',
      { 'X-Pagination-Filter': 'name:like=%al%' },
      'Invalid X-Pagination-Filter header: "name:like=%al%" has a value that is not URL-encoded (a % is sent as %25)',
    ],
    [
      'a field that is not URL-encoded',
      { 'X-Pagination-Filter': 'na%me:eq=a' },
      '"na%me:eq=a" has a field that is not URL-encoded',
    ],
    [
      'a number field compared with text',
      { 'X-Pagination-Filter': 'size:lt=big' },
      'Invalid X-Pagination-Filter header: "size:lt=big": size is a number, "big" is not one',
    ],
    ['an empty number', { 'X-Pagination-Filter': 'size:eq=' }, 'size is a number, "" is not one'],
    [
      'one bad value in an in-list',
      { 'X-Pagination-Filter': 'size:in=1,x' },
      'size is a number, "x" is not one',
    ],
    [
      'a boolean field compared with text',
      { 'X-Pagination-Filter': 'on:eq=yes' },
      'on is a boolean (true or false), "yes" is not one',
    ],
  ];

  it.each(cases)('refuses %s with OVH’s 400 Client::BadRequest', (_, values, message, mode) => {
    const error = refusal(values, mode);
    expect(error.status).toBe(400);
    expect(error.body).toEqual({ class: 'Client::BadRequest', message: expect.any(String) });
    expect(error.body.message).toContain(message);
  });

  it('cuts a long value in the message', () => {
    const error = refusal({ 'X-Pagination-Sort': 'x'.repeat(500) });
    expect(error.body.message.length).toBeLessThan(300);
    expect(error.body.message).toContain('...');
  });

  it('refuses a cursor it did not give, and one given for another sort, filter or list', () => {
    const first = paginate(
      ITEMS,
      readPageRequest(
        headers({ 'X-Pagination-Mode': 'CachedObjectList-Cursor', 'X-Pagination-Size': '2' }),
        THINGS,
        'things',
      ) as PageRequest,
      THINGS,
    );
    const cursor = first.headers[CURSOR_NEXT_HEADER] ?? '';
    expect(cursor).not.toBe('');
    const follow = (values: Record<string, string>, scope = 'things') =>
      readPageRequest(
        headers({ 'X-Pagination-Mode': 'CachedObjectList-Cursor', ...values }),
        THINGS,
        scope,
      );
    expect(follow({ 'X-Pagination-Cursor': cursor })).toMatchObject({ offset: 2 });
    const refused: Record<string, string>[] = [
      { 'X-Pagination-Cursor': 'not-a-cursor' },
      { 'X-Pagination-Cursor': '' },
      { 'X-Pagination-Cursor': cursor, 'X-Pagination-Sort': 'size' },
      { 'X-Pagination-Cursor': cursor, 'X-Pagination-Sort-Order': 'DESC' },
      { 'X-Pagination-Cursor': cursor, 'X-Pagination-Filter': 'on:eq=true' },
    ];
    for (const values of refused) {
      expect(() => follow(values)).toThrow(
        'Invalid X-Pagination-Cursor header: ' +
          `${JSON.stringify(values['X-Pagination-Cursor'])} is not a cursor this list gave with this sort and filter; ` +
          'start without X-Pagination-Cursor and send the X-Pagination-Cursor-Next of each answer',
      );
    }
    expect(() => follow({ 'X-Pagination-Cursor': cursor }, 'other things')).toThrow(
      'is not a cursor this list gave',
    );
  });
});

describe('filters: field:operator=value, all of them must hold', () => {
  const filtered = (filter: string) => names({ 'X-Pagination-Filter': filter });

  it('eq and ne on strings (exact, with case), numbers and booleans', () => {
    expect(filtered('name:eq=alpha')).toEqual(['alpha']);
    expect(filtered('note:eq=web%20back')).toEqual(['alpha']);
    expect(filtered('note:eq=Web%20back')).toEqual([]);
    expect(filtered('size:eq=20')).toEqual(['bravo']);
    expect(filtered('size:eq=20.0')).toEqual(['bravo']);
    expect(filtered('on:eq=false')).toEqual(['alpha', 'charlie']);
    expect(filtered('name:ne=alpha')).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    expect(filtered('on:ne=true')).toEqual(['alpha', 'charlie']);
  });

  it('ne keeps objects where the field is null or missing; the other operators do not', () => {
    expect(filtered('size:ne=10')).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    expect(filtered('meta.label:ne=Staging')).toEqual(['alpha', 'bravo', 'delta', 'echo']);
    expect(filtered('note:like=%25')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(filtered('size:lt=1000')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
  });

  it('lt and gt compare numbers numerically and strings by code point', () => {
    expect(filtered('size:lt=30')).toEqual(['alpha', 'bravo']);
    expect(filtered('size:gt=9.5')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(filtered('size:gt=-5')).toHaveLength(4);
    expect(filtered('name:lt=charlie')).toEqual(['alpha', 'bravo']);
    expect(filtered('name:gt=charlie')).toEqual(['delta', 'echo']);
    // Upper case sorts before lower case by code point.
    expect(filtered('meta.label:lt=a')).toEqual(['charlie', 'delta']);
  });

  it('lt and gt compare ISO dates as strings, which orders them in time', () => {
    const dated = [
      thing('old', 1, true, '2026-01-05T10:00:00.000Z', null),
      thing('new', 2, true, '2026-03-01T08:00:00.000Z', null),
    ];
    expect(names({ 'X-Pagination-Filter': 'note:lt=2026-02-01T00%3A00%3A00Z' }, dated)).toEqual([
      'old',
    ]);
    expect(names({ 'X-Pagination-Filter': 'note:gt=2026-02-01T00:00:00Z' }, dated)).toEqual([
      'new',
    ]);
  });

  it('like: % (sent as %25) is a wildcard at the start, the end, in the middle, or alone', () => {
    expect(filtered('note:like=web%25')).toEqual(['alpha', 'delta']);
    expect(filtered('note:like=%25primary')).toEqual(['charlie']);
    expect(filtered('note:like=%25b%25')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(filtered('note:like=d%25a')).toEqual(['bravo']);
    expect(filtered('note:like=%25')).toHaveLength(4);
    expect(filtered('note:like=%25%25')).toHaveLength(4);
  });

  it('like: without % the whole value must match; without regard to case', () => {
    expect(filtered('note:like=web')).toEqual([]);
    expect(filtered('note:like=WEB%20FRONT')).toEqual(['delta']);
    expect(filtered('note:like=db%25')).toEqual(['bravo', 'charlie']);
  });

  it('like: other characters, regular-expression ones included, match only themselves', () => {
    const odd = [
      thing('a', 1, true, 'v1.2 (beta)*', null),
      thing('b', 2, true, 'v102 beta', null),
      thing('c', 3, true, 'line\nbreak', null),
    ];
    const like = (value: string) => names({ 'X-Pagination-Filter': `note:like=${value}` }, odd);
    expect(like(encodeURIComponent('v1.2 (beta)*'))).toEqual(['a']);
    expect(like(encodeURIComponent('v1.2%'))).toEqual(['a']);
    expect(like('v1_2%25')).toEqual([]);
    expect(like('line%25break')).toEqual(['c']);
  });

  it('like on a number reads its decimal text', () => {
    expect(filtered('size:like=%250')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(filtered('size:like=4%25')).toEqual(['delta']);
  });

  it('in takes a comma list, each value URL-encoded on its own', () => {
    expect(filtered('name:in=alpha,echo,zulu')).toEqual(['alpha', 'echo']);
    expect(filtered('size:in=10,30')).toEqual(['alpha', 'charlie']);
    expect(filtered('name:in=alpha')).toEqual(['alpha']);
    const commas = [thing('a,b', 1, true, null, null), thing('a', 2, true, null, null)];
    expect(
      names({ 'X-Pagination-Filter': `name:in=${encodeURIComponent('a,b')},c` }, commas),
    ).toEqual(['a,b']);
  });

  it('filters on nested fields by dotted path', () => {
    expect(filtered('meta.label:eq=prod-east')).toEqual(['alpha', 'bravo']);
    expect(filtered('meta.label:like=prod%25')).toEqual(['alpha', 'bravo', 'delta']);
    expect(filtered('meta.rank:gt=1')).toEqual(['charlie', 'delta']);
  });

  it('combines filters joined by &: every one must hold', () => {
    expect(filtered('meta.label:like=prod%25&on:eq=true')).toEqual(['bravo', 'delta']);
    expect(filtered('meta.label:like=prod%25&on:eq=true&size:gt=30')).toEqual(['delta']);
    expect(filtered('name:in=alpha,bravo&name:ne=alpha')).toEqual(['bravo']);
    expect(filtered('name:eq=alpha&name:eq=bravo')).toEqual([]);
  });

  it('reads a field name URL-encoded (the Control Panel encodes it)', () => {
    expect(filtered('meta%2Elabel:eq=Staging')).toEqual(['charlie']);
  });

  it('treats an empty X-Pagination-Filter as no filter', () => {
    expect(filtered('')).toHaveLength(ITEMS.length);
  });
});

describe('sorting: stable, ties by the key, null last', () => {
  const sorted = (sort: string, order?: string) =>
    names({ 'X-Pagination-Sort': sort, ...(order ? { 'X-Pagination-Sort-Order': order } : {}) });

  it('sorts by the key ascending without X-Pagination-Sort, and descending when asked', () => {
    expect(names({})).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(names({ 'X-Pagination-Sort-Order': 'DESC' })).toEqual([
      'echo',
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ]);
  });

  it('sorts numbers numerically, both ways, null last both ways', () => {
    const many = [10, 9, 100, -1].map((size, i) => thing(`n${i}`, size, true, null, null));
    const sizes = (order: string) =>
      page({ 'X-Pagination-Sort': 'size', 'X-Pagination-Sort-Order': order }, [
        ...many,
        thing('z', null, true, null, null),
      ]).items.map((t) => t.size);
    expect(sizes('ASC')).toEqual([-1, 9, 10, 100, null]);
    expect(sizes('DESC')).toEqual([100, 10, 9, -1, null]);
  });

  it('sorts a nested field both ways, ties by the key ascending, missing last', () => {
    expect(sorted('meta.label')).toEqual(['delta', 'charlie', 'alpha', 'bravo', 'echo']);
    expect(sorted('meta.label', 'DESC')).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(sorted('meta.rank')).toEqual(['alpha', 'bravo', 'delta', 'charlie', 'echo']);
    expect(sorted('meta.rank', 'DESC')).toEqual(['charlie', 'delta', 'alpha', 'bravo', 'echo']);
  });

  it('sorts booleans false first, and strings by code point (not by locale)', () => {
    expect(sorted('on')).toEqual(['alpha', 'charlie', 'bravo', 'delta', 'echo']);
    expect(sorted('on', 'DESC')).toEqual(['bravo', 'delta', 'echo', 'alpha', 'charlie']);
    expect(sorted('note')).toEqual(['bravo', 'delta', 'charlie', 'alpha', 'echo']);
  });

  it('gives the same order whatever order the objects come in', () => {
    const reversed = [...ITEMS].reverse();
    for (const sort of ['name', 'size', 'on', 'note', 'meta.label', 'meta.rank']) {
      for (const order of ['ASC', 'DESC']) {
        const values = { 'X-Pagination-Sort': sort, 'X-Pagination-Sort-Order': order };
        expect(names(values, reversed)).toEqual(names(values));
      }
    }
  });

  it('compares code points: U+10000 and above after U+E000–U+FFFF', () => {
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('Z', 'a')).toBeLessThan(0);
    expect(compareCodePoints('z', 'é')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('same', 'same')).toBe(0);
    // By UTF-16 code unit, '\u{1F600}' (0xD83D…) would come before '\uFFFD'.
    expect('\u{1F600}' < '\uFFFD').toBe(true);
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareCodePoints('\u{1F600}', '\u{1F601}')).toBeLessThan(0);
    expect(compareCodePoints('\uE000', '\uD7FF')).toBeGreaterThan(0);
  });
});

describe('pages: size, number, totals and echoes', () => {
  it('cuts pages: first, middle, last (partial), past the end', () => {
    const at = (n: number) => names({ 'X-Pagination-Size': '2', 'X-Pagination-Number': String(n) });
    expect(at(1)).toEqual(['alpha', 'bravo']);
    expect(at(2)).toEqual(['charlie', 'delta']);
    expect(at(3)).toEqual(['echo']);
    expect(at(4)).toEqual([]);
    expect(at(1000)).toEqual([]);
  });

  it('answers pages of size 1 and one page of 5000 with everything', () => {
    const one = (n: number) =>
      names({ 'X-Pagination-Size': '1', 'X-Pagination-Number': String(n) });
    expect([1, 2, 3, 4, 5, 6].map(one)).toEqual([
      ['alpha'],
      ['bravo'],
      ['charlie'],
      ['delta'],
      ['echo'],
      [],
    ]);
    const many = Array.from({ length: 6000 }, (_, i) =>
      thing(`t${String(i).padStart(4, '0')}`, i, true, null, null),
    );
    const full = page({ 'X-Pagination-Size': '5000' }, many);
    expect(full.items).toHaveLength(5000);
    expect(full.headers[ELEMENTS_HEADER]).toBe('6000');
    expect(
      page({ 'X-Pagination-Size': '5000', 'X-Pagination-Number': '2' }, many).items,
    ).toHaveLength(1000);
  });

  it('says in X-Pagination-Elements how many objects match, on every page', () => {
    expect(page({ 'X-Pagination-Size': '2' }).headers[ELEMENTS_HEADER]).toBe('5');
    expect(page({ 'X-Pagination-Number': '9' }).headers[ELEMENTS_HEADER]).toBe('5');
    expect(page({ 'X-Pagination-Filter': 'on:eq=true' }).headers[ELEMENTS_HEADER]).toBe('3');
    expect(page({ 'X-Pagination-Filter': 'name:eq=none' }).headers[ELEMENTS_HEADER]).toBe('0');
    expect(page({}, []).headers[ELEMENTS_HEADER]).toBe('0');
  });

  it('echoes the pagination headers as sent, and no other', () => {
    const sent = {
      'X-Pagination-Size': '2',
      'X-Pagination-Number': '2',
      'X-Pagination-Sort': 'meta%2Elabel',
      'X-Pagination-Sort-Order': 'DESC',
      'X-Pagination-Filter': 'note:like=%25b%25',
    };
    const read = readPageRequest(
      headers({ 'x-pagination-mode': 'CachedObjectList-Pages', ...sent, Pragma: 'no-cache' }),
      THINGS,
      'things',
    ) as PageRequest;
    expect(paginate(ITEMS, read, THINGS).headers).toEqual({
      'X-Pagination-Mode': 'CachedObjectList-Pages',
      ...sent,
      'X-Pagination-Elements': '4',
    });
    expect(page({}).headers).toEqual({
      'X-Pagination-Mode': 'CachedObjectList-Pages',
      'X-Pagination-Elements': '5',
    });
  });
});

describe('cursor mode: X-Pagination-Cursor-Next until the last page', () => {
  const cursorPage = (values: Record<string, string>, items: readonly Thing[] = ITEMS) => {
    const read = readPageRequest(
      headers({ 'X-Pagination-Mode': 'CachedObjectList-Cursor', ...values }),
      THINGS,
      'things',
    ) as PageRequest;
    return paginate(items, read, THINGS);
  };

  it('walks the list to the end, and has no next cursor on the last page', () => {
    const values = {
      'X-Pagination-Size': '2',
      'X-Pagination-Sort': 'size',
      'X-Pagination-Sort-Order': 'DESC',
    };
    const seen: string[][] = [];
    let cursor: string | undefined;
    for (let calls = 0; calls < 10; calls += 1) {
      const answer = cursorPage(cursor ? { ...values, 'X-Pagination-Cursor': cursor } : values);
      seen.push(answer.items.map((t) => t.name));
      expect(answer.headers[ELEMENTS_HEADER]).toBe('5');
      expect(answer.headers['X-Pagination-Cursor']).toBe(cursor);
      cursor = answer.headers[CURSOR_NEXT_HEADER];
      if (cursor === undefined) break;
    }
    expect(seen).toEqual([['delta', 'charlie'], ['bravo', 'alpha'], ['echo']]);
  });

  it('has no next cursor when everything fits on the first page, or exactly fills it', () => {
    expect(cursorPage({}).headers[CURSOR_NEXT_HEADER]).toBeUndefined();
    expect(cursorPage({ 'X-Pagination-Size': '5' }).headers[CURSOR_NEXT_HEADER]).toBeUndefined();
    expect(cursorPage({ 'X-Pagination-Size': '4' }).headers[CURSOR_NEXT_HEADER]).toBeDefined();
  });

  it('applies the filters across the walk', () => {
    const values = { 'X-Pagination-Size': '1', 'X-Pagination-Filter': 'on:eq=true' };
    const first = cursorPage(values);
    const next = first.headers[CURSOR_NEXT_HEADER] ?? '';
    const second = cursorPage({ ...values, 'X-Pagination-Cursor': next });
    expect([first.items[0]?.name, second.items[0]?.name]).toEqual(['bravo', 'delta']);
    expect(second.headers[ELEMENTS_HEADER]).toBe('3');
  });
});

describe('fieldReader', () => {
  it('reads scalars by dotted path; objects, lists and missing paths read as null', () => {
    const object = { a: { b: 'x', c: { d: 1 } }, list: [1], off: false, none: null };
    expect(fieldReader('a.b')(object)).toBe('x');
    expect(fieldReader('a.c.d')(object)).toBe(1);
    expect(fieldReader('off')(object)).toBe(false);
    expect(fieldReader('a')(object)).toBeNull();
    expect(fieldReader('list')(object)).toBeNull();
    expect(fieldReader('none.deeper')(object)).toBeNull();
    expect(fieldReader('nope')(object)).toBeNull();
  });
});
