/**
 * The dialog's behaviour: the URL names the step (a reload keeps the place, never pre-filled
 * values), Back and Cancel at every step, Escape closes the dialog.
 */
import { expect, test } from './fixtures.ts';
import { openInstallDialog, openServerPage, serverPath } from './wizard.ts';

test('the wizard keeps its step on reload; Back, Cancel and Escape work', async ({
  operatorPage: page,
  serverName,
}) => {
  await openServerPage(page, serverName);
  await openInstallDialog(page);
  await expect(page).toHaveURL(new RegExp(`${serverPath(serverName)}/install/source$`));
  const dialog = page.getByRole('dialog');

  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/install\/template$/);
  await page.reload();
  await expect(dialog.getByRole('button', { name: 'Custom' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(
    dialog.getByRole('radio', { name: 'Install from an OVHcloud template' }),
  ).toBeChecked();

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`${serverPath(serverName)}$`));

  await openInstallDialog(page);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The configuration page (step 3) survives a reload too, and Back returns to step 2. The
  // reload keeps the step, not half-typed values: nothing is filled in without the operator asking.
  await page.goto(`${serverPath(serverName)}/install/configure`);
  await page.getByRole('textbox', { name: 'Image URL' }).fill('https://images.example.com/a.img');
  await page.reload();
  await expect(page).toHaveURL(new RegExp(`${serverPath(serverName)}/install/configure$`));
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveValue('');
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Custom' })).toBeVisible();
});
