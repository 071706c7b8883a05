/**
 * The screens the README shows, as an operator sees them: each at 1440 × 900 and at 420 px wide,
 * written to docs/screenshots/<name>.png and <name>-420.png.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from '../tests/fixtures.ts';
import { fillForm, openConfiguration, openServerPage } from '../tests/wizard.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const UEFI_SERVER = 'ns1234567.ip-51-91-0.eu';
const WIDTHS = [
  { suffix: '', width: 1440, height: 900 },
  { suffix: '-420', width: 420, height: 900 },
] as const;

/** Shoots the whole page, or only `region` (a labelled region of it) when given. */
async function shoot(
  page: Page,
  name: string,
  prepare: () => Promise<void>,
  region?: string,
): Promise<void> {
  for (const { suffix, width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    // Each width starts from a blank form: the console keeps the last values of a form in storage.
    if (page.url().startsWith('http')) {
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
    }
    await prepare();
    const file = path.join(OUT, `${name}${suffix}.png`);
    if (region) await page.getByRole('region', { name: region }).screenshot({ path: file });
    else await page.screenshot({ path: file, fullPage: true });
  }
}

test('server page', async ({ operatorPage: page }) => {
  await shoot(page, 'server-page', async () => {
    await openServerPage(page, UEFI_SERVER);
    await expect(page.getByText('EFI bootloader')).toBeVisible();
  });
});

test('image check with the EFI bootloader', async ({ operatorPage: page, imageServer, kit }) => {
  await shoot(
    page,
    'image-check',
    async () => {
      await openConfiguration(page, UEFI_SERVER);
      await fillForm(page, {
        imageURL: `${imageServer.url}/images/${kit.images.qcow2.file}`,
        imageType: 'qcow2',
        efiBootloaderPath: '\\efi\\ubuntu\\shimx64.efi',
      });
      await page.getByRole('button', { name: 'Check image' }).click();
      const region = page.getByRole('region', { name: 'Image check' });
      await expect(region.getByRole('list', { name: 'EFI files in the image' })).toBeVisible();
    },
    'Image check',
  );
});

test('show API request', async ({ operatorPage: page, imageServer, kit }) => {
  await shoot(
    page,
    'api-request',
    async () => {
      await openConfiguration(page, UEFI_SERVER);
      await fillForm(page, {
        imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
        imageType: 'raw',
        imageCheckSum: kit.images['raw-gpt'].sha256,
        httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }],
        configDriveMetadata: [{ key: 'role', value: 'webserver' }],
        customHostname: 'web1.example.com',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      });
      await page.getByText('Show API request').click();
      await page.getByRole('tab', { name: 'Terraform' }).click();
      await expect(page.getByLabel('Terraform snippet')).toBeVisible();
    },
    'API request',
  );
});

test('an OVH refusal with its class and query ID', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
}) => {
  await sim.setServerLocked(serverName, true);
  try {
    await shoot(
      page,
      'ovh-refusal',
      async () => {
        await openConfiguration(page, serverName);
        await fillForm(page, {
          imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
          imageType: 'raw',
          efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
        });
        await page
          .getByRole('textbox', { name: 'Type the server name to confirm' })
          .fill(serverName);
        await page.getByRole('button', { name: 'Confirm' }).click();
        await expect(page.getByText('OVH query ID')).toBeVisible();
      },
      'Confirm the installation',
    );
  } finally {
    await sim.setServerLocked(serverName, false);
  }
});
