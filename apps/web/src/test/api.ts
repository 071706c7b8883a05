/**
 * The browser-side boundary for unit tests: `fetch` answered by per-route handlers. The BFF itself
 * is tested for real elsewhere; here only the SPA's reaction to its answers is under test.
 */
import { SERVER_SORT_FIELDS } from '@byoi/shared';
import type {
  ApiErrorBody,
  InstallProgressDto,
  MetaResponse,
  SessionResponse,
  ServerDetailResponse,
  ServerListResponse,
  ServerSummary,
  TemplatesResponse,
} from '@byoi/shared';
import { vi } from 'vitest';

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
}

/** JSON `body` (with `status`), or a whole `response` (e.g. a text/event-stream). */
interface Answer {
  status?: number;
  body?: unknown;
  response?: Response;
}

/** A handler may answer later (a promise), to show what the screen does meanwhile. */
type Handler = (call: RecordedCall) => Answer | undefined | Promise<Answer | undefined>;

export const SN = 'ns1234567.ip-51-91-0.eu';
const GIB = 1024 ** 3;

export const meta: MetaResponse = {
  mode: 'simulator',
  endpoint: 'simulator',
  installRoute: 'install-start',
  version: '0.1.0',
};

export const operatorSession: SessionResponse = {
  user: { username: 'alice', role: 'operator', servers: ['*'] },
};

export const viewerSession: SessionResponse = {
  user: { username: 'victor', role: 'viewer', servers: ['*'] },
};

export const idleInstall: InstallProgressDto = {
  serverName: SN,
  state: 'idle',
  percent: 0,
  elapsedSeconds: 0,
  steps: [],
  task: null,
  failure: null,
};

export const serverDetail: ServerDetailResponse = {
  server: {
    name: SN,
    displayName: SN,
    datacenter: 'gra3',
    state: 'ok',
    os: 'debian12_64',
    ip: '51.91.0.10',
    commercialRange: 'ADVANCE-1',
    installing: false,
    reverse: null,
    rack: null,
    powerState: 'poweron',
    supportLevel: 'pro',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
  },
  hardware: {
    memoryBytes: 32 * GIB,
    imageLimitBytes: 29 * GIB,
    bootMode: 'uefi',
    diskGroups: [
      {
        diskGroupId: 1,
        description: '2 x 480 GB SSD',
        diskType: 'SSD',
        numberOfDisks: 2,
        diskSizeBytes: 480_000_000_000,
        raidController: null,
      },
    ],
    description: 'ADVANCE-1',
    processorName: 'AMD EPYC 4244P',
  },
  install: idleInstall,
};

export const templates: TemplatesResponse = {
  categories: [
    {
      category: 'LINUX',
      label: 'Linux',
      templates: [
        { name: 'debian12_64', displayName: 'Debian 12', description: null, family: 'linux' },
      ],
    },
    {
      category: 'CUSTOMER',
      label: 'Custom',
      templates: [
        {
          name: 'byoi_64',
          displayName: 'Bring Your Own Image - byoi',
          description: null,
          family: null,
        },
      ],
    },
  ],
};

// ---- The fleet list ----

const DATACENTERS = ['bhs1', 'gra3', 'rbx8', 'sbg5', 'waw1'] as const;
const SYSTEMS = ['debian12_64', 'rocky9_64', 'ubuntu2404-server_64', 'byoi_64'] as const;
const ROLES = ['api', 'db', 'web'] as const;

/**
 * `count` servers named `ns100000.ip-51-91-0.eu` onwards. Display names count down (ns100000 is
 * `api-999`), and datacenter, OS and state cycle on other periods, so each sort orders the rows
 * differently; ns100001 is installing.
 */
function makeFleet(count: number): ServerSummary[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `ns${String(100000 + i)}.ip-51-91-0.eu`,
    displayName: `${ROLES[i % ROLES.length] ?? 'web'}-${String(count - 1 - i).padStart(3, '0')}`,
    datacenter: DATACENTERS[i % DATACENTERS.length] ?? 'gra3',
    state: i % 50 === 7 ? 'error' : i % 97 === 3 ? 'hacked' : 'ok',
    os: SYSTEMS[i % SYSTEMS.length] ?? 'debian12_64',
    ip: null,
    commercialRange: null,
    installing: i === 1,
  }));
}

export const FLEET = makeFleet(1000);

const LIST_KEYS = ['page', 'pageSize', 'search', 'sort', 'order'];

function refused(message: string): Answer {
  const body: ApiErrorBody = { error: { code: 'VALIDATION_FAILED', message } };
  return { status: 400, body };
}

function wholeNumber(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `GET /api/servers` as the BFF answers it: refuses the queries it refuses, then searches names and
 * display names (any case), sorts like OVH (by code point, ties by name ascending in either
 * direction) and cuts one page.
 */
export function listServers(fleet: readonly ServerSummary[] = FLEET): Handler {
  return (call) => {
    const query = new URL(call.path, 'http://localhost').searchParams;
    const keys = [...query.keys()];
    const unknown = keys.filter((key) => !LIST_KEYS.includes(key));
    if (unknown.length > 0) return refused(`Unknown query parameter(s): ${unknown.join(', ')}.`);
    if (new Set(keys).size !== keys.length) return refused('Each parameter must be given once.');
    const page = wholeNumber(query.get('page'), 1);
    const pageSize = wholeNumber(query.get('pageSize'), 50);
    const search = query.get('search') ?? '';
    const sort = query.get('sort') ?? 'name';
    const order = query.get('order') ?? 'asc';
    if (page === undefined || page < 1) return refused('page starts at 1.');
    if (pageSize === undefined || pageSize < 1 || pageSize > 1000) {
      return refused('pageSize must be from 1 to 1000.');
    }
    if (search.length > 255) return refused('search must be at most 255 characters.');
    const field = SERVER_SORT_FIELDS.find((known) => known === sort);
    if (field === undefined) return refused(`Unknown sort ${sort}.`);
    if (order !== 'asc' && order !== 'desc') return refused(`Unknown order ${order}.`);

    const direction = order === 'desc' ? -1 : 1;
    const needle = search.trim().toLowerCase();
    const matching = fleet
      .filter(
        (s) =>
          s.name.toLowerCase().includes(needle) || s.displayName.toLowerCase().includes(needle),
      )
      .sort((a, b) => byCodePoint(a[field], b[field]) * direction || byCodePoint(a.name, b.name));
    const body: ServerListResponse = {
      items: matching.slice((page - 1) * pageSize, page * pageSize),
      total: matching.length,
      page,
      pageSize,
      search: search.trim(),
      sort: field,
      order,
    };
    return { body };
  };
}

export function mockApi(handlers: Record<string, Handler> = {}) {
  const calls: RecordedCall[] = [];
  const defaults: Record<string, Handler> = {
    'GET /api/meta': () => ({ body: meta }),
    'GET /api/session': () => ({ body: operatorSession }),
    'POST /api/session': () => ({ body: operatorSession }),
    [`GET /api/servers/${SN}`]: () => ({ body: serverDetail }),
    [`GET /api/servers/${SN}/templates`]: () => ({ body: templates }),
    [`GET /api/servers/${SN}/install`]: () => ({ body: idleInstall }),
  };
  const all = { ...defaults, ...handlers };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const href = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    const url = new URL(href, 'http://localhost');
    const method = init?.method ?? 'GET';
    const call: RecordedCall = {
      method,
      path: `${url.pathname}${url.search}`,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: { ...(init?.headers as Record<string, string>) },
      signal: init?.signal ?? undefined,
    };
    calls.push(call);
    const handler = all[`${method} ${decodeURIComponent(url.pathname)}`];
    const answer = (await handler?.(call)) ?? {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `No mock for ${method} ${url.pathname}` } },
    };
    await Promise.resolve();
    if (answer.response) return answer.response;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}
