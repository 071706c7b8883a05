/** Issue #7: signed in through the sign-in page, a viewer cannot see Install; an operator can. */
import type { Page } from '@playwright/test';
import { OPERATOR, VIEWER } from '../support/users.ts';
import type { TestUser } from '../support/users.ts';
import { expect, test } from './fixtures.ts';
import { openServerPage, systemMenuButton } from './wizard.ts';

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
  if ((await systemMenuButton(page).count()) > 0) {
    await systemMenuButton(page).click();
  }
  await expect(page.getByRole('menuitem', { name: 'Install' })).toHaveCount(0);
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
