/**
 * axe-core on every screen: sign-in, the servers list, the server page (as an operator and as a
 * viewer, alone and behind the install dialog), every wizard step, the progress screen and the
 * audit log. No serious or critical violation anywhere. The screens around an install's outcome
 * (a failing verdict, failed and done, the cancel dialog, the last installation, a filtered audit
 * log) are checked where trust.spec.ts reaches them.
 */
import type { Page } from '@playwright/test';
import { seriousViolations } from './axe.ts';
import type { Finding } from './axe.ts';
import { expect, test } from './fixtures.ts';
import {
  confirmInstall,
  expectInstallDone,
  fillForm,
  openInstallDialog,
  openServerPage,
  routeDefaults,
  snapshot,
} from './wizard.ts';

test('every wizard step and the progress screen pass axe', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const findings: Finding[] = [];
  const expectNoSeriousViolations = async (p: Page, step: string, scope?: string) => {
    findings.push(...(await seriousViolations(p, step, scope)));
  };
  await openServerPage(page, serverName);
  // Steps 1 and 2 are the dialog: it is what the person interacts with (the page behind is inert).
  await openInstallDialog(page);
  await expectNoSeriousViolations(page, 'step 1: source', '[role="dialog"]');

  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('button', { name: 'Custom' }).click();
  await dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }).check();
  await expectNoSeriousViolations(page, 'step 2: template', '[role="dialog"]');

  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toBeVisible();
  await expectNoSeriousViolations(page, 'step 3: configuration');

  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
    imageType: 'raw',
    imageCheckSum: kit.images['raw-gpt'].sha256,
    httpHeaders: [{ name: 'X-Download-Token', value: 'e2e-token' }],
    ...routeDefaults(route),
  });
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  await expectNoSeriousViolations(page, 'step 3: configuration, filled and checked');

  await confirmInstall(page, serverName);
  await expectInstallDone(page);
  await expectNoSeriousViolations(page, 'progress screen (done)');
  // Every step is checked before failing, so one run lists all of them.
  expect(findings).toEqual([]);
  await expect(page.getByText('Installation complete').first()).toBeVisible();
});

test('the server page passes axe on its own and behind the install dialog', async ({
  operatorPage: page,
  serverName,
}, testInfo) => {
  const findings: Finding[] = [];
  await openServerPage(page, serverName);
  await expect(page.getByRole('definition').first()).toBeVisible();
  await snapshot(page, testInfo, 'server-page');
  findings.push(...(await seriousViolations(page, 'server page')));

  // The whole document with the dialog open: the dialog and the page it covers.
  await openInstallDialog(page);
  findings.push(...(await seriousViolations(page, 'server page behind the install dialog')));
  expect(findings).toEqual([]);
  await expect(page.getByRole('dialog')).toBeVisible();
});

test("a viewer's server page passes axe", async ({ viewerPage: page, serverName }, testInfo) => {
  await openServerPage(page, serverName);
  await expect(
    page.getByText('Your role is viewer: installing needs the operator role.'),
  ).toBeVisible();
  await snapshot(page, testInfo, 'server-page-viewer');
  expect(await seriousViolations(page, 'server page (viewer)')).toEqual([]);
});

test('the sign-in page passes axe, empty and after a refused sign-in', async ({
  page,
}, testInfo) => {
  const findings: Finding[] = [];
  await page.goto('/sign-in');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await snapshot(page, testInfo, 'sign-in');
  findings.push(...(await seriousViolations(page, 'sign-in')));

  await page.getByRole('textbox', { name: 'Username' }).fill('e2e-nobody');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').first()).toBeVisible();
  await snapshot(page, testInfo, 'sign-in-refused');
  findings.push(...(await seriousViolations(page, 'sign-in, refused')));
  expect(findings).toEqual([]);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('the servers list and the audit log pass axe', async ({ operatorPage: page }, testInfo) => {
  const findings: Finding[] = [];
  await page.goto('/servers');
  const servers = page.getByRole('table', { name: 'Dedicated servers' });
  await expect(servers.getByRole('link').first()).toBeVisible();
  await expect(servers).toHaveAttribute('aria-busy', 'false');
  await snapshot(page, testInfo, 'servers');
  findings.push(...(await seriousViolations(page, 'servers list')));

  await page.getByRole('link', { name: 'Audit log' }).click();
  const audit = page.getByRole('table', { name: 'Audit log' });
  // This operator's own sign-in is in it.
  await expect(audit.getByRole('cell', { name: 'sign-in' }).first()).toBeVisible();
  await expect(audit).toHaveAttribute('aria-busy', 'false');
  await snapshot(page, testInfo, 'audit-log');
  findings.push(...(await seriousViolations(page, 'audit log')));
  expect(findings).toEqual([]);
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
});
