/**
 * Playwright against the built console: one BFF per install route (every test on the default
 * `reinstall`, the happy paths on the seed's `install-start`), each in simulator mode with its
 * embedded OVH simulator on a fixed loopback port (for the `/_sim` admin API), Debian's Chromium.
 * `pnpm --filter @byoi/e2e test` builds the web app first.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import type { PlaywrightTestConfig } from '@playwright/test';
import {
  bffInstance,
  INSTALL_WATCH_INTERVAL_MS,
  ROLLOUT_TICK_MS,
  ROUTES,
  SIMULATED_FLEET_SIZE,
  SIMULATOR_CLOCK_SPEED,
} from './support/env.ts';
import type { E2eOptions } from './tests/fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

const webServers: NonNullable<PlaywrightTestConfig['webServer']> = ROUTES.map((route) => {
  const bff = bffInstance(route);
  return {
    name: `bff-${route}`,
    // The JSON log goes to a file: the secrets test reads it.
    command: `"${process.execPath}" --import tsx support/server.ts >> "${bff.logFile}"`,
    cwd: here,
    url: `${bff.baseURL}/api/ready`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: {
      PORT: String(bff.port),
      HOST: '127.0.0.1',
      SIMULATOR_PORT: String(bff.simulatorPort),
      SIMULATOR_CLOCK_SPEED: String(SIMULATOR_CLOCK_SPEED),
      SIMULATOR_SERVER_COUNT: String(SIMULATED_FLEET_SIZE),
      ROLLOUT_TICK_MS: String(ROLLOUT_TICK_MS),
      INSTALL_WATCH_INTERVAL_MS: String(INSTALL_WATCH_INTERVAL_MS),
      OVH_INSTALL_ROUTE: route,
      CONSOLE_USERS_FILE: bff.usersFile,
      E2E_OVH_KEYS_FILE: bff.keysFile,
      DATA_DIR: bff.dataDir,
      WEB_DIST_DIR: bff.webDistDir,
      LOG_LEVEL: 'info',
    },
  };
});

function routeProject(route: (typeof ROUTES)[number]) {
  const bff = bffInstance(route);
  return {
    baseURL: bff.baseURL,
    route,
    simulatorURL: bff.simulatorURL,
  } satisfies Partial<E2eOptions> & { baseURL: string };
}

export default defineConfig<E2eOptions>({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './support/globalSetup.ts',
  forbidOnly: !!process.env.CI,
  retries: 1,
  workers: 2,
  fullyParallel: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: './playwright-report' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'on',
    video: 'off',
    actionTimeout: 15_000,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    },
  },
  webServer: webServers,
  projects: [
    // The default route, OVH's current one: every test.
    {
      name: 'reinstall',
      testIgnore: /secrets\.spec\.ts/,
      use: routeProject('reinstall'),
    },
    // The seed's route, kept for its payload: the happy paths.
    {
      name: 'install-start',
      grep: /@happy/,
      testIgnore: /secrets\.spec\.ts/,
      use: routeProject('install-start'),
    },
    {
      name: 'secrets',
      testMatch: /secrets\.spec\.ts/,
      dependencies: ['reinstall', 'install-start'],
      use: routeProject('reinstall'),
    },
  ],
});
