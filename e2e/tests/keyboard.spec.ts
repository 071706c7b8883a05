/** The whole happy path with the keyboard only: Tab, Enter, Space, arrows and typing. */
import type { Locator, Page } from '@playwright/test';
import { expectedPayload } from './expectedPayload.ts';
import { expect, test } from './fixtures.ts';
import { expectInstallDone, openServerPage, routeDefaults } from './wizard.ts';
import type { FormValues } from './wizard.ts';

/** Presses Tab until `target` has the focus, as a keyboard user would; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()} in ${max} presses.`);
}

async function typeInto(page: Page, target: Locator, text: string): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.type(text);
}

test('keyboard only: server page to "Installation complete" @happy', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}) => {
  const image = kit.images['qcow2'];
  const values: FormValues = {
    imageURL: `${imageServer.url}/images/${image.file}`,
    imageType: 'qcow2',
    imageCheckSum: image.sha256,
    imageCheckSumType: 'sha256',
    ...routeDefaults(route),
  };
  await openServerPage(page, serverName);

  await tabTo(page, page.getByRole('button', { name: '…' }));
  await page.keyboard.press('Enter');
  const install = page.getByRole('menuitem', { name: 'Install' });
  await expect(install).toBeVisible();
  for (let i = 0; i < 5 && !(await install.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByRole('radio', { name: 'Install from an OVHcloud template' }),
  ).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Next' }));
  await page.keyboard.press('Enter');
  await tabTo(page, dialog.getByRole('button', { name: 'Custom' }));
  await page.keyboard.press('Enter');
  await tabTo(page, dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }));
  await page.keyboard.press('Space');
  await expect(dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' })).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Next' }));
  await page.keyboard.press('Enter');

  await typeInto(page, page.getByRole('textbox', { name: 'Image URL' }), values.imageURL);
  await tabTo(page, page.getByRole('combobox', { name: 'Image type' }));
  await page.keyboard.type('qcow2');
  await expect(page.getByRole('combobox', { name: 'Image type' })).toHaveValue('qcow2');
  await typeInto(page, page.getByRole('textbox', { name: 'Image checksum' }), image.sha256);
  await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue('sha256');
  if (values.efiBootloaderPath) {
    await typeInto(
      page,
      page.getByRole('textbox', { name: 'EFI bootloader path' }),
      values.efiBootloaderPath,
    );
  }
  await typeInto(
    page,
    page.getByRole('textbox', { name: 'Type the server name to confirm' }),
    serverName,
  );
  await tabTo(page, page.getByRole('button', { name: 'Confirm' }));
  await page.keyboard.press('Enter');

  await expectInstallDone(page);
  const installs = await sim.installsFor(serverName);
  expect(installs.map((i) => i.body)).toEqual([expectedPayload(route, values)]);
  await expect(page.getByText('Installation complete').first()).toBeVisible();
});
