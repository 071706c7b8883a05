/**
 * Not a test run: renders the console's screens into docs/screenshots for the README, desktop
 * (1440 × 900) and 420 px wide, against the same BFF and simulator the e2e tests use.
 * `corepack pnpm --filter @byoi/e2e screenshots` (builds the web app first).
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';
import type { E2eOptions } from './tests/fixtures.ts';

const reinstall = base.projects?.find((project) => project.name === 'reinstall');

export default defineConfig<E2eOptions>({
  ...base,
  testDir: './screenshots',
  retries: 0,
  workers: 1,
  reporter: [['list']],
  projects: [{ name: 'screenshots', use: { ...reinstall?.use } }],
});
