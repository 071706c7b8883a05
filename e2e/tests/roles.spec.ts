/** Issue #7: signed in through the sign-in page, a viewer cannot see Install; an operator can. */
import type { Page } from '@playwright/test';
import { OPERATOR, VIEWER } from '../support/users.ts';
import type { TestUser } from '../support/users.ts';
import { expect, test } from './fixtures.ts';
import { openServerPage, routeDefaults, systemMenuButton } from './wizard.ts';

async function signInThroughThePage(page: Page, user: TestUser): Promise<void> {
  await page.goto('/servers');
  await page.getByRole('textbox', { name: 'Username' }).fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByText(user.username).first()).toBeVisible();
}

const SERVER = 'ns1234567.ip-51-91-0.eu';

test('a viewer cannot see Install', async ({ page }) => {
  await signInThroughThePage(page, VIEWER);
  await openServerPage(page, SERVER);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await expect(systemMenuButton(page)).toHaveCount(0);
  await expect(page.getByRole('menuitem', { name: 'Install' })).toHaveCount(0);
  await expect(
    page.getByText('Your role is viewer: installing needs the operator role.'),
  ).toBeVisible();
  // A viewer who types the wizard's address is not offered the form either.
  await page.goto(`/servers/${SERVER}/install/configure`);
  await expect(page.getByRole('button', { name: 'Confirm' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('an operator can see Install', async ({ page }) => {
  await signInThroughThePage(page, OPERATOR);
  await openServerPage(page, SERVER);
  await expect(page.getByRole('link', { name: 'Audit log' })).toBeVisible();
  await systemMenuButton(page).click();
  await expect(page.getByRole('menuitem', { name: 'Install' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Install' })).toBeEnabled();
});

test('an install forced by a viewer is refused by the BFF and never reaches OVH', async ({
  viewerPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
  baseURL,
}) => {
  await openServerPage(page, serverName);
  const csrf = (await page.context().cookies()).find((c) => c.name === 'byoi_csrf')?.value ?? '';
  const response = await page.request.post(`/api/servers/${serverName}/install`, {
    headers: { Origin: baseURL ?? '', 'X-CSRF-Token': csrf },
    data: {
      imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
      imageType: 'raw',
      ...routeDefaults(route),
    },
  });
  expect(response.status()).toBe(403);
  expect(await sim.installsFor(serverName)).toEqual([]);
  await expect(
    page.getByText('Your role is viewer: installing needs the operator role.'),
  ).toBeVisible();
});
