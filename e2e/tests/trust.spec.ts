/**
 * Screens an operator can trust: the server page knows an install has ended the moment the
 * progress page does; a failing verdict (here a wrong checksum, found by Verify checksum) holds
 * Confirm until "Install anyway" is ticked, and that choice is in the audit log beside OVH's
 * answer; Cancel asks first; the install dialog keeps its buttons in view at one size; at 420 px no
 * page is wider than the screen and the header's menu holds the links and the user. axe runs on
 * each of these screens.
 */
import { UPSTREAM_MESSAGES } from '@byoi/shared';
import type { Locator, Page } from '@playwright/test';
import { seriousViolations } from './axe.ts';
import type { Finding } from './axe.ts';
import type { TestUser } from '../support/users.ts';
import { expect, test } from './fixtures.ts';
import {
  confirmButton,
  confirmField,
  confirmInstall,
  expectInstallDone,
  expectProgressScreen,
  failurePanel,
  fillForm,
  openConfiguration,
  openInstallDialog,
  openServerPage,
  openWithWrongChecksum,
  routeDefaults,
  serverPath,
  systemMenuButton,
} from './wizard.ts';

/** The server page's "Last installation" tile. */
function lastInstallation(page: Page): Locator {
  return page.getByRole('region', { name: 'Last installation' });
}

test('from "Installation complete" straight to the server page, Install is offered at once', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const findings: Finding[] = [];
  const imageURL = `${imageServer.url}/images/${kit.images.qcow2.file}`;
  await openConfiguration(page, serverName);
  await fillForm(page, { imageURL, imageType: 'qcow2', ...routeDefaults(route) });
  await confirmInstall(page, serverName);
  await expectInstallDone(page);
  await expect(page.getByRole('region', { name: 'What was installed' })).toContainText(imageURL);
  findings.push(...(await seriousViolations(page, 'progress page, done')));

  // A marker that a reload would wipe: the server page is reached inside the same document.
  await page.evaluate(() => Object.assign(window, { e2eSameDocument: true }));
  await page
    .getByRole('navigation', { name: 'Breadcrumb' })
    .getByRole('link', { name: serverName })
    .click();
  await expect(page.getByRole('tab', { name: 'General information' })).toBeVisible();
  await expect(lastInstallation(page).getByText('Installation complete')).toBeVisible();
  await expect(page.getByText('Install is unavailable', { exact: false })).toHaveCount(0);
  await systemMenuButton(page).click();
  // Well inside the BFF's list cache and the page's poll: the ended install is known already.
  await expect(page.getByRole('menuitem', { name: 'Install' })).toBeEnabled({ timeout: 2_000 });
  expect(await page.evaluate(() => 'e2eSameDocument' in window)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(lastInstallation(page)).toContainText(imageURL);
  findings.push(...(await seriousViolations(page, 'server page with the last installation')));

  // "Reinstall with the same image" brings the image back, says so, and confirms nothing.
  await lastInstallation(page).getByRole('link', { name: 'Reinstall with the same image' }).click();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveValue(imageURL);
  await expect(
    page.getByText(
      `Reinstall with the same image: these fields came back from your last install on ${serverName}:`,
    ),
  ).toBeVisible();
  await expect(confirmButton(page)).toBeDisabled();
  expect(findings).toEqual([]);
});

test('a wrong checksum: Verify finds it, Confirm waits for "Install anyway", OVH refuses, the audit log links both', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}) => {
  const findings: Finding[] = [];
  const image = kit.images['raw-gpt'];
  const right = image.sha256;
  const wrong = kit.images['raw-mbr'].sha256;
  const predicted = UPSTREAM_MESSAGES.checksumMismatch('sha256', right, wrong);
  await openWithWrongChecksum(page, { serverName, imageServer, kit, route });
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  await page.getByRole('button', { name: 'Verify checksum' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'The sha256 checksum does not match.' }),
  ).toContainText(predicted);

  // One verdict, and it fails: nothing on the page says the image passed.
  const verdict = page.getByRole('status', { name: 'Last image check' });
  await expect(verdict).toContainText('Image check failed');
  await expect(verdict).toContainText(predicted);
  await expect(page.getByText(/passed/i)).toHaveCount(0);

  const installAnyway = page.getByRole('checkbox', {
    name: `Install anyway: OVH will most likely answer “${predicted}”`,
  });
  await confirmField(page).fill(serverName);
  await expect(installAnyway).not.toBeChecked();
  await expect(confirmButton(page)).toBeDisabled();
  findings.push(...(await seriousViolations(page, 'configuration page, failing verdict')));
  await installAnyway.check();
  await expect(confirmButton(page)).toBeEnabled();

  // Any change to the image takes the tick back, even one undone at once; the old verdict is
  // folded away as out of date meanwhile.
  const checksum = page.getByRole('textbox', { name: 'Image checksum' });
  await checksum.fill(right);
  await expect(page.getByText('Out of date', { exact: true }).first()).toBeVisible();
  await expect(installAnyway).toBeHidden();
  await checksum.fill(wrong);
  await expect(installAnyway).not.toBeChecked();
  await expect(confirmButton(page)).toBeDisabled();
  await installAnyway.check();

  const submit = page.waitForRequest(
    (request) =>
      request.method() === 'POST' &&
      new URL(request.url()).pathname === `/api${serverPath(serverName)}/install`,
  );
  await confirmButton(page).click();
  expect((await submit).postDataJSON()).toMatchObject({
    imageCheckSum: wrong,
    acknowledgement: { predictedMessage: predicted },
  });

  await expectProgressScreen(page);
  const failure = failurePanel(page);
  await expect(failure).toBeVisible({ timeout: 45_000 });
  await expect(failure.getByRole('definition').first()).toHaveText(predicted);
  findings.push(...(await seriousViolations(page, 'progress page, failed')));
  expect(await sim.installsFor(serverName)).toHaveLength(1);

  // The audit log, filtered on this server: the submit with what was accepted, and its outcome.
  await page.getByRole('banner').getByRole('link', { name: 'Audit log' }).click();
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  await filters.getByRole('textbox', { name: 'Server' }).fill(serverName);
  await filters.getByRole('combobox', { name: 'Event' }).selectOption('install');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]event=install(&|$)/);
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit).toHaveAttribute('aria-busy', 'false');
  const rows = audit.getByRole('row').filter({ hasText: serverName });
  const submitRow = rows.filter({ hasText: 'Installed despite a failed check' });
  await expect(submitRow).toHaveCount(1);
  await expect(submitRow).toContainText(`acknowledging “${predicted}”`);
  await expect(submitRow.getByRole('cell', { name: 'submitted', exact: true })).toBeVisible();
  const outcomeRow = rows.filter({ hasText: /Install #task \d+ failed/ });
  await expect(outcomeRow).toHaveCount(1);
  await expect(outcomeRow).toContainText(`failed: “${predicted}”`);
  await expect(outcomeRow.getByRole('cell', { name: 'failed', exact: true })).toBeVisible();
  const link = outcomeRow.getByRole('link', { name: 'See its submit' });
  const anchor = ((await link.getAttribute('href')) ?? '').replace(/^#/, '');
  await expect(submitRow).toHaveAttribute('id', anchor);
  findings.push(...(await seriousViolations(page, 'audit log, filtered')));
  await link.click();
  await expect(page).toHaveURL(new RegExp(`#${anchor}$`));
  expect(findings).toEqual([]);
});

test('Cancel installation asks first, naming the server; Keep installing has the focus', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  await openConfiguration(page, serverName);
  // 2 GiB through the image server's 1 MiB/s route: the install stays in its download step.
  await fillForm(page, {
    imageURL: `${imageServer.url}/slow/images/${kit.images['raw-2g-sparse'].file}`,
    imageType: 'raw',
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectProgressScreen(page);
  const cancel = page.getByRole('button', { name: 'Cancel installation' });
  await cancel.click();
  const dialog = page.getByRole('dialog', { name: `Cancel the installation on ${serverName}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep installing' })).toBeFocused();
  expect(await seriousViolations(page, 'cancel dialog')).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Installing: this page refreshes by itself.')).toBeVisible();

  await cancel.click();
  await dialog.getByRole('button', { name: 'Cancel installation' }).click();
  await expect(page.getByText('Installation cancelled', { exact: true })).toBeVisible();
  await expect(cancel).toBeHidden();
});

test('the install dialog keeps Back, Cancel and Next in view at 1280 × 720, one size for every category', async ({
  operatorPage: page,
  serverName,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const viewport = { width: 1280, height: 720 };
  await openServerPage(page, serverName);
  await openInstallDialog(page);
  const dialog = page.getByRole('dialog');
  // The dialog scales in: measured once its opening animation (and any other finite one) is over.
  const settled = () =>
    page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
          .map((animation) => animation.finished),
      ),
    );
  const sizeOf = async () => {
    await settled();
    const box = await dialog.boundingBox();
    return box && { width: box.width, height: box.height };
  };
  const expectButtonsInView = async (where: string, names: string[]) => {
    await settled();
    for (const name of names) {
      const box = await dialog.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, `${where}: ${name}`).not.toBeNull();
      if (!box) continue;
      expect(box.x, `${where}: ${name} left`).toBeGreaterThanOrEqual(0);
      expect(box.y, `${where}: ${name} top`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${where}: ${name} right`).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height, `${where}: ${name} bottom`).toBeLessThanOrEqual(viewport.height);
    }
  };
  await expectButtonsInView('step 1', ['Cancel', 'Next']);
  const first = await sizeOf();

  await dialog.getByRole('button', { name: 'Next' }).click();
  const templates = dialog.getByRole('group', { name: / templates$/ });
  await expect(templates.getByRole('radio').first()).toBeVisible();
  await expectButtonsInView('step 2, default category', ['Back', 'Cancel', 'Next']);
  const byDefault = await sizeOf();

  await dialog.getByRole('button', { name: 'Custom' }).click();
  await expect(dialog.getByRole('group', { name: 'Custom templates' })).toBeVisible();
  await dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }).check();
  await expectButtonsInView('step 2, Custom', ['Back', 'Cancel', 'Next']);
  const custom = await sizeOf();

  expect(first).not.toBeNull();
  expect(byDefault).toEqual(first);
  expect(custom).toEqual(first);
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeEnabled();
});

/** The page's width against the window's, and (for the message) what reaches past its edge. */
function pageWidth(page: Page) {
  return page.evaluate(() => {
    const past = (element: Element) => element.getBoundingClientRect().right > innerWidth + 0.5;
    return {
      scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
      innerWidth,
      // The innermost such elements: the ones to fix.
      wider: [...document.body.querySelectorAll('*')]
        .filter((element) => past(element) && ![...element.children].some(past))
        .slice(0, 5)
        .map(
          (element) => `<${element.tagName.toLowerCase()} class="${element.className.toString()}">`,
        ),
    };
  });
}

/** Opens the header's Menu, checks its links and the user are on screen, closes it again. */
async function checkHeaderMenu(page: Page, user: TestUser, screen: string): Promise<Finding[]> {
  const banner = page.getByRole('banner');
  const menu = banner.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(banner.getByRole('button', { name: 'Sign out' })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  const nav = banner.getByRole('navigation', { name: 'Main' });
  for (const item of [
    nav.getByRole('link', { name: 'Dedicated servers' }),
    nav.getByRole('link', { name: 'Audit log' }),
    banner.getByText(user.username, { exact: true }),
    banner.getByText(user.role, { exact: true }),
    banner.getByRole('button', { name: 'Sign out' }),
  ]) {
    await expect(item, `${screen}: header menu`).toBeInViewport({ ratio: 1 });
  }
  // Readable: the open menu's text against its background, by axe's contrast rule among others.
  const findings = await seriousViolations(page, `${screen}: header menu`, 'header');
  await menu.click();
  await expect(banner.getByRole('button', { name: 'Sign out' })).toBeHidden();
  return findings;
}

test('at 420 px no screen is wider than the window, and the header menu holds the links and the user', async ({
  operatorPage: page,
  operator,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  await page.setViewportSize({ width: 420, height: 900 });
  const findings: Finding[] = [];
  const expectFits = async (screen: string) => {
    const { scrollWidth, innerWidth, wider } = await pageWidth(page);
    expect(scrollWidth, `${screen}: page width; wider: ${wider.join(' ')}`).toBeLessThanOrEqual(
      innerWidth,
    );
    findings.push(...(await checkHeaderMenu(page, operator, screen)));
  };

  await page.goto('/servers');
  await expect(
    page.getByRole('table', { name: 'Dedicated servers' }).getByRole('link').first(),
  ).toBeVisible();
  await expectFits('server list');

  // A long URL and a 64-digit checksum: the strings most likely to push a screen wider.
  const image = kit.images['raw-gpt'];
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${image.file}?X-Amz-Signature=${'f'.repeat(64)}`,
    imageType: 'raw',
    imageCheckSum: kit.images['raw-mbr'].sha256,
    ...routeDefaults(route),
  });
  await expectFits('configuration page');
  await confirmInstall(page, serverName);
  await expect(failurePanel(page)).toBeVisible({ timeout: 45_000 });
  await expectFits('progress page, failed');

  await openServerPage(page, serverName);
  await expect(lastInstallation(page).getByText('Installation failed')).toBeVisible();
  await expectFits('server page');

  await page.goto('/audit');
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit.getByRole('row').nth(1)).toBeVisible();
  await expect(audit).toHaveAttribute('aria-busy', 'false');
  await expectFits('audit page');
  expect(findings).toEqual([]);
});
