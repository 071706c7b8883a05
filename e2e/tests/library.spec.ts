/**
 * Image library: an operator adds an image whose download needs an HTTP header; the header's value
 * is never shown again (not on the page, not in any answer). A new version keeps the stored value.
 * "Install this image" opens the wizard on a server with the version filled in; the install runs
 * with the stored value (the BFF adds it), and "Where is it installed" lists the server.
 */
import type { Page } from '@playwright/test';
import type { Finding } from './axe.ts';
import { seriousViolations } from './axe.ts';
import { expect, test } from './fixtures.ts';
import {
  chooseByoiTemplate,
  confirmInstall,
  createLibraryImage,
  expectInstallDone,
  expectNoSidewaysScroll,
  installLibraryImage,
  routeDefaults,
  snapshot,
} from './wizard.ts';

/** Axe on the screen as it is, and no sideways scroll at 420 px; back to the default window. */
async function checkScreen(page: Page, screen: string, findings: Finding[]): Promise<void> {
  findings.push(...(await seriousViolations(page, screen)));
  await page.setViewportSize({ width: 420, height: 900 });
  await expectNoSidewaysScroll(page, `${screen} at 420 px`);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('an image with a header, a new version, installed from the library', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}, testInfo) => {
  const image = kit.images['raw-gpt'];
  const name = `Debian e2e ${serverName}`;
  const secret = imageServer.authorization;
  const findings: Finding[] = [];
  const answers: string[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/images')) {
      void response.text().then(
        (text) => answers.push(text),
        () => undefined,
      );
    }
  });

  await createLibraryImage(page, {
    name,
    notes: 'Created by the e2e run',
    imageURL: `${imageServer.url}/auth/images/${image.file}`,
    imageType: 'raw',
    ...routeDefaults(route),
    httpHeaders: [{ name: 'Authorization', value: secret }],
  });
  const latest = page.getByRole('region', { name: 'Latest version: v1' });
  await expect(latest.getByRole('list', { name: 'HTTP header names' })).toContainText(
    'Authorization',
  );
  await page.reload();
  await expect(latest).toContainText('value stored');
  expect(await page.content()).not.toContain(secret);

  // A new version: the stored value is kept by leaving the value empty.
  await page.getByRole('button', { name: 'New version' }).click();
  const form = page.getByRole('form', { name: 'New version (v2)' });
  await expect(form.getByLabel('HTTP header name', { exact: true })).toHaveValue('Authorization');
  const value = form.getByLabel('HTTP header value', { exact: true });
  await expect(value).toHaveValue('');
  await expect(form.getByText('Leave empty to keep the stored value.')).toBeVisible();
  await checkScreen(page, 'new version form', findings);
  await form.getByRole('textbox', { name: 'Image checksum' }).fill(image.sha256);
  await form.getByRole('textbox', { name: 'Version notes' }).fill('With its checksum');
  await form.getByRole('button', { name: 'Add the version' }).click();
  await expect(page.getByText('Version 2 added: it is now the latest.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Latest version: v2' })).toContainText(
    image.sha256,
  );
  await expect(page.getByRole('table', { name: 'Versions' }).getByRole('row')).toHaveCount(3);
  await snapshot(page, testInfo, 'library-image');
  await checkScreen(page, 'image page', findings);

  await installLibraryImage(page, serverName);
  await chooseByoiTemplate(page);
  await expect(page).toHaveURL(/\/install\/configure\?image=[^&]+&version=2/);
  await expect(page.getByText(`From the image library: ${name} v2`)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveValue(
    `${imageServer.url}/auth/images/${image.file}`,
  );
  await expect(page.getByRole('textbox', { name: 'Image checksum' })).toHaveValue(image.sha256);
  await expect(
    page.getByRole('list', { name: 'HTTP headers stored in the library' }),
  ).toContainText('Authorization');
  await expect(page.getByLabel('HTTP header value', { exact: true })).toHaveCount(0);
  await snapshot(page, testInfo, 'wizard-from-library');
  await checkScreen(page, 'configuration page, from the library', findings);

  // The check reaches the protected image: the BFF adds the stored value to it too.
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  await expect(
    page.getByRole('status', { name: 'Last image check' }).getByText('Image check passed'),
  ).toBeVisible();

  await confirmInstall(page, serverName);
  await expectInstallDone(page);
  const installs = await sim.installsFor(serverName);
  expect(installs).toHaveLength(1);
  expect(JSON.stringify(installs[0]?.body)).toContain(secret);

  await page.goto('/images');
  await page.getByRole('searchbox', { name: 'Search images' }).fill(name);
  await expect(page.getByRole('table', { name: 'Images' }).getByRole('row')).toHaveCount(2);
  await checkScreen(page, 'image list', findings);
  await page.getByRole('link', { name }).click();
  const where = page.getByRole('table', { name: 'Where it is installed' });
  const row = where.getByRole('row').filter({ hasText: serverName });
  await expect(row).toContainText('v2');
  await expect(async () => {
    await page.reload();
    await expect(row.getByText('Done', { exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });

  expect(answers.length).toBeGreaterThan(3);
  for (const answer of answers) expect(answer).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);

  await page.goto('/images/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Add an image' })).toBeVisible();
  await page.getByRole('button', { name: 'Add HTTP header' }).click();
  await checkScreen(page, 'add an image', findings);
  expect(findings).toEqual([]);
});

test('a viewer reads the library without write controls', async ({ viewerPage: page }) => {
  await page.goto('/images');
  await expect(page.getByRole('heading', { level: 1, name: 'Image library' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add an image' })).toHaveCount(0);
  await page.goto('/images/new');
  await expect(
    page.getByText(/adding images to the library needs the operator role/),
  ).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveCount(0);
});
