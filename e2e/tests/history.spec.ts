/**
 * Install history: an install the console started is on its server's Install history tab, with who
 * started it, how it ended and what it installed (header names, never a value), and "Reinstall with
 * the same image" opens the wizard, through its steps, with the image fields filled in.
 */
import type { Finding } from './axe.ts';
import { seriousViolations } from './axe.ts';
import { expect, test } from './fixtures.ts';
import {
  chooseByoiTemplate,
  confirmInstall,
  expectInstallDone,
  expectNoSidewaysScroll,
  fillForm,
  openConfiguration,
  openInstallHistory,
  routeDefaults,
  snapshot,
} from './wizard.ts';

test('an install on the Install history tab, and Reinstall with the same image', async ({
  operatorPage: page,
  operator,
  serverName,
  imageServer,
  kit,
  route,
}, testInfo) => {
  const findings: Finding[] = [];
  const image = kit.images['raw-gpt'];
  const imageURL = `${imageServer.url}/auth/images/${image.file}`;
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL,
    imageType: 'raw',
    imageCheckSum: image.sha256,
    customHostname: 'web1.example.com',
    httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }],
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectInstallDone(page);

  const table = await openInstallHistory(page, serverName);
  const row = table.getByRole('row').filter({ hasText: imageURL });
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Done', { exact: true })).toBeVisible();
  await expect(row).toContainText(operator.username);
  await expect(row).toContainText('Authorization');
  await expect(row).toContainText('web1.example.com');
  await expect(row).toContainText(/Duration \d+:\d{2}/);
  await expect(row.getByTitle(image.sha256)).toBeVisible();
  // Header values are never kept: neither the page nor its answers hold one.
  expect(await page.content()).not.toContain(imageServer.authorization);
  await snapshot(page, testInfo, 'install-history');
  findings.push(...(await seriousViolations(page, 'install history tab')));
  await page.setViewportSize({ width: 420, height: 900 });
  await expectNoSidewaysScroll(page, 'install history tab at 420 px');
  await page.setViewportSize({ width: 1280, height: 720 });

  await row.getByRole('button', { name: 'Reinstall with the same image' }).click();
  await expect(page).toHaveURL(/\/install\/source\?reuse=install%3A/);
  await chooseByoiTemplate(page);
  await expect(page).toHaveURL(/\/install\/configure\?reuse=install%3A/);

  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveValue(imageURL);
  await expect(page.getByRole('combobox', { name: 'Image type' })).toHaveValue('raw');
  await expect(page.getByRole('textbox', { name: 'Image checksum' })).toHaveValue(image.sha256);
  await expect(page.getByRole('textbox', { name: 'Custom hostname' })).toHaveValue(
    'web1.example.com',
  );
  await expect(page.getByLabel('HTTP header name', { exact: true })).toHaveValue('Authorization');
  await expect(page.getByLabel('HTTP header value', { exact: true })).toHaveValue('');
  const banner = page.getByText(/Reinstall with the same image: these fields came back from/);
  await expect(banner).toBeVisible();
  await expect(page.getByText(/except HTTP header values/)).toBeVisible();
  await snapshot(page, testInfo, 'reinstall-from-history');
  findings.push(...(await seriousViolations(page, 'configuration page, from the history')));
  expect(findings).toEqual([]);
});
