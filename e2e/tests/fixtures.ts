/**
 * The e2e fixtures: the image kit, a local image server, the simulator's admin API, a fresh
 * simulated server per test (or a group of them for a rollout), and browser pages signed in as an
 * operator or a viewer. Every fixture cleans up after `use()`. Each page records the BFF's API
 * responses for the secrets test.
 */
import { appendFileSync, mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { APIRequestContext, Browser, Page, Response, TestInfo } from '@playwright/test';
import { TERMINAL_ROLLOUT_STATES } from '@byoi/shared';
import type {
  BootMode,
  RolloutListResponse,
  ServerDetailResponse,
  ServerListResponse,
} from '@byoi/shared';
import { ensureImages, startImageServer } from '@byoi/test-kit';
import type { ImageKit, ImageServer } from '@byoi/test-kit';
import { CLAIMS_DIR, RESPONSES_DIR, SIMULATED_FLEET_SIZE } from '../support/env.ts';
import type { Route } from '../support/env.ts';
import { SimulatorAdminClient } from '../support/simulator.ts';
import { TEST_OPERATOR_COUNT, testOperator, VIEWER } from '../support/users.ts';
import type { TestUser } from '../support/users.ts';

export interface E2eOptions {
  /** The install route the project's BFF is configured with (`OVH_INSTALL_ROUTE`). */
  route: Route;
  /** `https://127.0.0.1:<port>` of the BFF's embedded simulator. */
  simulatorURL: string;
}

/** A server a rollout may take, with what decides whether the image fits it. */
export interface FleetServer {
  name: string;
  bootMode: BootMode;
}

interface TestFixtures {
  /** A local HTTP server serving the image kit, closed after the test. */
  imageServer: ImageServer;
  /** The embedded simulator's `/_sim` admin API. */
  sim: SimulatorAdminClient;
  /** An index no other test of this run holds: picks this test's server and operator. */
  claim: number;
  /** A simulated server no other test of this run uses (one install at a time per server). */
  serverName: string;
  /**
   * Claims, for this test alone, the generated servers past those `claim` hands out whose name
   * contains `search` (e.g. `ns410008`: ns4100080 … ns4100089), sorted by name. Afterwards the
   * operator's rollouts that have not ended are aborted with their installs, and the servers freed.
   */
  rolloutServers: (search: string) => Promise<FleetServer[]>;
  /** This test's own operator account (the BFF limits installs per user and minute). */
  operator: TestUser;
  /** A page signed in as the operator (signed out after the test). */
  operatorPage: Page;
  /** A page signed in as the viewer (signed out after the test). */
  viewerPage: Page;
}

interface WorkerFixtures {
  kit: ImageKit;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

/** Appends every `/api/*` response body the page receives to the run's capture directory. */
function captureApiResponses(page: Page, label: string): () => Promise<void> {
  mkdirSync(RESPONSES_DIR, { recursive: true });
  const file = path.join(RESPONSES_DIR, `${safeName(label)}.jsonl`);
  const pending = new Set<Promise<void>>();
  const onResponse = (response: Response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    const job = (async () => {
      let body = '';
      try {
        body = await response.text();
      } catch {
        // Streams aborted by the page (e.g. a cancelled checksum verification) have no body.
        return;
      }
      appendFileSync(
        file,
        JSON.stringify({
          url: response.url(),
          status: response.status(),
          headers: await response.allHeaders(),
          body,
        }) + '\n',
      );
    })();
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };
  page.on('response', onResponse);
  return async () => {
    page.off('response', onResponse);
    await Promise.allSettled([...pending]);
  };
}

/** Signs the page's browser context in through the BFF's sign-in API (same cookie jar). */
async function signIn(request: APIRequestContext, baseURL: string, user: TestUser) {
  const response = await request.post('/api/session', {
    headers: { Origin: baseURL },
    data: { username: user.username, password: user.password },
  });
  expect(response.status(), `sign-in as ${user.username}: ${await response.text()}`).toBe(200);
}

/** The headers a state-changing API call needs: the console's origin and the CSRF token. */
async function writeHeaders(
  request: APIRequestContext,
  baseURL: string,
): Promise<Record<string, string>> {
  const { cookies } = await request.storageState();
  const csrf = cookies.find((cookie) => cookie.name === 'byoi_csrf')?.value ?? '';
  return { Origin: baseURL, 'X-CSRF-Token': csrf };
}

/** The fleet index in a generated server's name (`ns4100083.ip-…` → 83), or null. */
function fleetIndexOf(name: string): number | null {
  const match = /^ns(\d+)\.ip-/.exec(name);
  const index = match ? Number(match[1]) - 4100000 : -1;
  return index >= 0 && index < SIMULATED_FLEET_SIZE ? index : null;
}

async function signOut(page: Page, baseURL: string) {
  const cookies = await page.context().cookies(baseURL);
  const csrf = cookies.find((cookie) => cookie.name === 'byoi_csrf')?.value;
  if (!csrf) return;
  await page.request.delete('/api/session', {
    headers: { Origin: baseURL, 'X-CSRF-Token': csrf },
  });
}

/** Claims the next unused fleet server for this run: an exclusive file per index, across workers. */
function claimFleetIndex(): number {
  mkdirSync(CLAIMS_DIR, { recursive: true });
  const size = Math.min(SIMULATED_FLEET_SIZE, TEST_OPERATOR_COUNT);
  for (let index = 0; index < size; index += 1) {
    try {
      closeSync(openSync(path.join(CLAIMS_DIR, String(index)), 'wx'));
      return index;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(
    `All ${size} simulated fleet servers are used: raise SIMULATED_FLEET_SIZE and TEST_OPERATOR_COUNT.`,
  );
}

async function signedInPage(
  browser: Browser,
  baseURL: string | undefined,
  user: TestUser,
  use: (page: Page) => Promise<void>,
  testInfo: TestInfo,
) {
  if (!baseURL) throw new Error('baseURL is set per project in playwright.config.ts.');
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const stopCapture = captureApiResponses(
    page,
    `${testInfo.project.name}-${testInfo.titlePath.join('-')}-${user.role}-${testInfo.retry}`,
  );
  await signIn(page.request, baseURL, user);
  await use(page);
  await stopCapture();
  await signOut(page, baseURL);
  await context.close();
}

export const test = base.extend<TestFixtures & E2eOptions, WorkerFixtures>({
  route: ['reinstall', { option: true }],
  simulatorURL: ['', { option: true }],

  kit: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies first.
    async ({}, use) => {
      await use(await ensureImages());
    },
    { scope: 'worker' },
  ],

  imageServer: async ({ kit }, use) => {
    const server = await startImageServer({ dir: kit.dir });
    await use(server);
    await server.close();
  },

  sim: async ({ simulatorURL }, use) => {
    await use(new SimulatorAdminClient(simulatorURL));
  },

  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies first.
  claim: async ({}, use) => {
    await use(claimFleetIndex());
  },

  operator: async ({ claim }, use) => {
    await use(testOperator(claim));
  },

  rolloutServers: async ({ playwright, baseURL, operator }, use) => {
    const origin = baseURL ?? '';
    const request = await playwright.request.newContext({ baseURL: origin });
    await signIn(request, origin, operator);
    mkdirSync(CLAIMS_DIR, { recursive: true });
    const held: string[] = [];
    await use(async (search) => {
      const lock = path.join(CLAIMS_DIR, `rollout-${safeName(search)}`);
      try {
        closeSync(openSync(lock, 'wx'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        throw new Error(`Another test holds the servers matching ${search}: give each its own.`);
      }
      held.push(lock);
      const response = await request.get(`/api/servers?search=${encodeURIComponent(search)}`);
      expect(response.status()).toBe(200);
      const { items } = (await response.json()) as ServerListResponse;
      const names = items.map((server) => server.name).sort();
      const shared = names.filter((name) => (fleetIndexOf(name) ?? 0) < TEST_OPERATOR_COUNT);
      if (names.length === 0 || shared.length > 0) {
        throw new Error(
          `${search} must match only generated servers past the first ${TEST_OPERATOR_COUNT} (one a test); it matches ${names.length === 0 ? 'none' : shared.join(', ')}.`,
        );
      }
      return Promise.all(
        names.map(async (name) => {
          const detail = await request.get(`/api/servers/${encodeURIComponent(name)}`);
          expect(detail.status()).toBe(200);
          const { hardware } = (await detail.json()) as ServerDetailResponse;
          return { name, bootMode: hardware.bootMode };
        }),
      );
    });
    // A rollout left running (a failed attempt) would install these servers under its retry.
    const list = await request.get('/api/rollouts?limit=100');
    const { rollouts } = (await list.json()) as RolloutListResponse;
    const terminal: readonly string[] = TERMINAL_ROLLOUT_STATES;
    for (const rollout of rollouts) {
      if (rollout.createdBy !== operator.username || terminal.includes(rollout.state)) continue;
      await request.post(`/api/rollouts/${encodeURIComponent(rollout.id)}/abort`, {
        headers: await writeHeaders(request, origin),
        data: { cancelRunning: true },
      });
    }
    await request.dispose();
    for (const lock of held) rmSync(lock, { force: true });
  },

  serverName: async ({ playwright, baseURL, claim, operator }, use) => {
    const needle = `ns${4100000 + claim}.ip`;
    const request = await playwright.request.newContext({ baseURL: baseURL ?? '' });
    await signIn(request, baseURL ?? '', operator);
    const response = await request.get(`/api/servers?search=${encodeURIComponent(needle)}`);
    expect(response.status()).toBe(200);
    const list = (await response.json()) as ServerListResponse;
    await request.dispose();
    const name = list.items[0]?.name;
    if (!name) throw new Error(`The simulator has no fleet server matching ${needle}.`);
    await use(name);
  },

  operatorPage: async ({ browser, baseURL, operator }, use, testInfo) => {
    await signedInPage(browser, baseURL, operator, use, testInfo);
  },
  viewerPage: async ({ browser, baseURL }, use, testInfo) => {
    await signedInPage(browser, baseURL, VIEWER, use, testInfo);
  },
});

export { expect };
