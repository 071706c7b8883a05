/**
 * The browser-side boundary for unit tests: `fetch` answered by per-route handlers. The BFF itself
 * is tested for real elsewhere; here only the SPA's reaction to its answers is under test.
 */
import type {
  InstallProgressDto,
  MetaResponse,
  SessionResponse,
  ServerDetailResponse,
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
type Handler = (
  call: RecordedCall,
) => { status?: number; body?: unknown; response?: Response } | undefined;

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
    const answer = handler?.(call) ?? {
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
