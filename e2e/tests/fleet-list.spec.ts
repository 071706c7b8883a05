/**
 * Issue #14: the server list is searched and sorted by OVH (the BFF asks the simulator for
 * expanded pages), and the view — search, sort, order, page — lives in the URL. The simulator holds
 * its 6 named servers (web-prod-01, db-legacy, batch-03, tiny-ram, tiny-disk, win-app-02) and the
 * generated fleet-0001 … fleet-0094 (100 in all); installs by other tests change states and
 * systems, never display names, so display names are what this test sorts on.
 */
import type { Page } from '@playwright/test';
import { SIMULATED_FLEET_SIZE } from '../support/env.ts';
import { expect, test } from './fixtures.ts';

const TOTAL = SIMULATED_FLEET_SIZE + 6;

function table(page: Page) {
  return page.getByRole('table', { name: 'Dedicated servers' });
}

/** The display names of the rows shown, in order (the second column). */
async function displayNames(page: Page): Promise<string[]> {
  return table(page).locator('tbody tr td:nth-of-type(1)').allInnerTexts();
}

test('search over display names and a sorted column, kept in the URL, paged by OVH', async ({
  viewerPage: page,
}) => {
  await page.goto('/servers');
  await expect(page.getByText(`${TOTAL} servers`, { exact: true })).toBeVisible();

  // OVH's `like` ignores case; the display name matches though the service name does not.
  await page.getByLabel('Search by name or display name').fill('WEB-PROD');
  await expect(page).toHaveURL(/[?&]search=WEB-PROD(&|$)/);
  await expect(page.getByText('1 server matching “WEB-PROD”')).toBeVisible();
  await expect.poll(() => displayNames(page)).toEqual(['web-prod-01']);
  await page.getByLabel('Search by name or display name').fill('');
  await expect(page).not.toHaveURL(/search=/);

  const byDisplayName = table(page).getByRole('button', { name: /^Display name/ });
  await byDisplayName.click();
  await expect(page).toHaveURL(/[?&]sort=displayName(&|$)/);
  await expect(table(page).getByRole('columnheader', { name: /^Display name/ })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
  await expect
    .poll(async () => (await displayNames(page)).slice(0, 3))
    .toEqual(['batch-03', 'db-legacy', 'fleet-0001']);

  await byDisplayName.click();
  await expect(page).toHaveURL(/[?&]order=desc(&|$)/);
  await expect
    .poll(async () => (await displayNames(page)).slice(0, 4))
    .toEqual(['win-app-02', 'web-prod-01', 'tiny-ram', 'tiny-disk']);

  // A reload keeps the view; page 2 continues OVH's order where page 1 ended.
  await page.reload();
  await expect(table(page).getByRole('columnheader', { name: /^Display name/ })).toHaveAttribute(
    'aria-sort',
    'descending',
  );
  await page.getByRole('button', { name: 'page 2' }).click();
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  const fiftyFirst = `fleet-${String(SIMULATED_FLEET_SIZE + 4 - 50).padStart(4, '0')}`;
  await expect.poll(async () => (await displayNames(page))[0]).toBe(fiftyFirst);
  await expect.poll(async () => (await displayNames(page)).length).toBe(TOTAL - 50);
  await expect(page.getByText(`Showing 51–${TOTAL} of ${TOTAL}`)).toBeVisible();
});
