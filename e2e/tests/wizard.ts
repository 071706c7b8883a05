/**
 * The install wizard as a person walks it, by role and label only (DESIGN.md's "UI flow" strings).
 * Each helper ends on what the next step shows, so a broken step fails where it breaks.
 */
import type { Locator, Page, TestInfo } from '@playwright/test';
import type { ImageKit, ImageServer } from '@byoi/test-kit';
import { expect } from './fixtures.ts';

export interface FormValues {
  imageURL: string;
  imageType: 'qcow2' | 'raw';
  imageCheckSum?: string;
  /** Left as inferred from the checksum's length when absent. */
  imageCheckSumType?: 'md5' | 'sha1' | 'sha256' | 'sha512' | '';
  httpHeaders?: { name: string; value: string }[];
  configDriveUserData?: string;
  configDriveMetadata?: { key: string; value: string }[];
  customHostname?: string;
  sshKey?: string;
  efiBootloaderPath?: string;
}

/** Saves a full-page screenshot of the current step under the test's output directory. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

export function serverPath(serverName: string): string {
  return `/servers/${encodeURIComponent(serverName)}`;
}

/** The server page's **…** menu next to **System (OS)**. */
export function systemMenuButton(page: Page): Locator {
  return page.getByRole('button', { name: '…' });
}

export async function openServerPage(page: Page, serverName: string): Promise<void> {
  await page.goto(serverPath(serverName));
  await expect(page.getByRole('tab', { name: 'General information' })).toBeVisible();
  await expect(page.getByText('System (OS)')).toBeVisible();
}

/** Server page → **…** → **Install**: the dialog's first step. */
export async function openInstallDialog(page: Page): Promise<void> {
  await systemMenuButton(page).click();
  await page.getByRole('menuitem', { name: 'Install' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(
    page.getByRole('radio', { name: 'Install from an OVHcloud template' }),
  ).toBeChecked();
}

/** Step 1 → **Next** → step 2: **Custom** → **Bring Your Own Image - byoi** → **Next**. */
export async function chooseByoiTemplate(
  page: Page,
  onTemplateStep?: () => Promise<void>,
): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('button', { name: 'Custom' }).click();
  await dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }).check();
  await onTemplateStep?.();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toBeVisible();
}

/** Opens the configuration page through the whole dialog, as the seed describes. */
export async function openConfiguration(page: Page, serverName: string): Promise<void> {
  await openServerPage(page, serverName);
  await openInstallDialog(page);
  await chooseByoiTemplate(page);
}

async function fillPairs(
  page: Page,
  rows: { first: string; value: string }[],
  labels: { add: string; first: string; second: string },
): Promise<void> {
  for (const [index, row] of rows.entries()) {
    await page.getByRole('button', { name: labels.add }).click();
    await page.getByLabel(labels.first, { exact: true }).nth(index).fill(row.first);
    await page.getByLabel(labels.second, { exact: true }).nth(index).fill(row.value);
  }
}

/** Fills the configuration page's fields (labels from DESIGN.md's form table). */
export async function fillForm(page: Page, values: FormValues): Promise<void> {
  await page.getByRole('textbox', { name: 'Image URL' }).fill(values.imageURL);
  await page.getByRole('combobox', { name: 'Image type' }).selectOption(values.imageType);
  if (values.imageCheckSum !== undefined) {
    await page.getByRole('textbox', { name: 'Image checksum' }).fill(values.imageCheckSum);
  }
  if (values.imageCheckSumType !== undefined) {
    await page
      .getByRole('combobox', { name: 'Checksum type' })
      .selectOption(values.imageCheckSumType);
  }
  if (values.httpHeaders?.length) {
    await fillPairs(
      page,
      values.httpHeaders.map((h) => ({ first: h.name, value: h.value })),
      { add: 'Add HTTP header', first: 'HTTP header name', second: 'HTTP header value' },
    );
  }
  if (values.configDriveUserData !== undefined) {
    await page
      .getByRole('textbox', { name: 'Config Drive user data' })
      .fill(values.configDriveUserData);
  }
  if (values.configDriveMetadata?.length) {
    await fillPairs(
      page,
      values.configDriveMetadata.map((m) => ({ first: m.key, value: m.value })),
      { add: 'Add metadata', first: 'Metadata key', second: 'Metadata value' },
    );
  }
  if (values.customHostname !== undefined) {
    await page.getByRole('textbox', { name: 'Custom hostname' }).fill(values.customHostname);
  }
  if (values.sshKey !== undefined) {
    await page.getByRole('textbox', { name: 'SSH public key' }).fill(values.sshKey);
  }
  if (values.efiBootloaderPath !== undefined) {
    await page.getByRole('textbox', { name: 'EFI bootloader path' }).fill(values.efiBootloaderPath);
  }
}

export function confirmField(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Type the server name to confirm' });
}

export function confirmButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Confirm' });
}

/** Types the server name (the erase acknowledgement) and presses **Confirm**. */
export async function confirmInstall(page: Page, serverName: string): Promise<void> {
  await expect(confirmButton(page)).toBeDisabled();
  await confirmField(page).fill(serverName);
  await expect(confirmButton(page)).toBeEnabled();
  await confirmButton(page).click();
}

export async function expectProgressScreen(page: Page): Promise<void> {
  await expect(
    page.getByRole('heading', { level: 1, name: 'Installation progress' }),
  ).toBeVisible();
}

/** Waits on the progress screen until the install ends as "done". */
export async function expectInstallDone(page: Page): Promise<void> {
  await expectProgressScreen(page);
  await expect(page.getByText('Installation complete', { exact: false }).first()).toBeVisible({
    timeout: 45_000,
  });
  await expect(page.getByRole('progressbar', { name: 'Installation progress' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );
}

/** The failure panel on the progress screen. */
export function failurePanel(page: Page): Locator {
  return page.getByRole('alert').filter({
    has: page.getByRole('heading', { name: 'Installation failed' }),
  });
}

/** Per-route defaults the form needs: OVH requires an EFI bootloader path on `reinstall`. */
export function routeDefaults(route: string): Partial<FormValues> {
  return route === 'reinstall' ? { efiBootloaderPath: '\\efi\\debian\\grubx64.efi' } : {};
}

/**
 * Opens the configuration page with the kit's raw GPT image and another image's sha256 as its
 * checksum: the form of every wrong-checksum flow. Returns the image's right and wrong checksums.
 */
export async function openWithWrongChecksum(
  page: Page,
  options: { serverName: string; imageServer: ImageServer; kit: ImageKit; route: string },
): Promise<{ right: string; wrong: string }> {
  const image = options.kit.images['raw-gpt'];
  const wrong = options.kit.images['raw-mbr'].sha256;
  await openConfiguration(page, options.serverName);
  await fillForm(page, {
    imageURL: `${options.imageServer.url}/images/${image.file}`,
    imageType: 'raw',
    imageCheckSum: wrong,
    ...routeDefaults(options.route),
  });
  return { right: image.sha256, wrong };
}

/** Server page → **Install history** tab: the table of the installs this console started. */
export async function openInstallHistory(page: Page, serverName: string): Promise<Locator> {
  await openServerPage(page, serverName);
  await page.getByRole('tab', { name: 'Install history' }).click();
  await expect(page).toHaveURL(/[?&]tab=history\b/);
  const table = page.getByRole('table', { name: 'Install history' });
  await expect(table).toBeVisible();
  return table;
}

export interface LibraryImageValues {
  name: string;
  notes?: string;
  imageURL: string;
  imageType: 'qcow2' | 'raw';
  imageCheckSum?: string;
  efiBootloaderPath?: string;
  httpHeaders?: { name: string; value: string }[];
}

/** **Images** → **Add an image** → fills the form → **Add the image**: ends on the image's page. */
export async function createLibraryImage(page: Page, values: LibraryImageValues): Promise<void> {
  await page.goto('/servers');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Images' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Image library' })).toBeVisible();
  await page.getByRole('link', { name: 'Add an image' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(values.name);
  if (values.notes !== undefined) {
    await page.getByRole('textbox', { name: 'Notes', exact: true }).fill(values.notes);
  }
  await page.getByRole('textbox', { name: 'Image URL' }).fill(values.imageURL);
  await page.getByRole('combobox', { name: 'Image type' }).selectOption(values.imageType);
  if (values.imageCheckSum !== undefined) {
    await page.getByRole('textbox', { name: 'Image checksum' }).fill(values.imageCheckSum);
  }
  if (values.efiBootloaderPath !== undefined) {
    await page.getByRole('textbox', { name: 'EFI bootloader path' }).fill(values.efiBootloaderPath);
  }
  for (const [index, header] of (values.httpHeaders ?? []).entries()) {
    await page.getByRole('button', { name: 'Add HTTP header' }).click();
    await page.getByLabel('HTTP header name', { exact: true }).nth(index).fill(header.name);
    await page.getByLabel('HTTP header value', { exact: true }).nth(index).fill(header.value);
  }
  await page.getByRole('button', { name: 'Add the image' }).click();
  await expect(page.getByRole('heading', { level: 1, name: values.name })).toBeVisible();
}

/** The image's page → **Install this image** → the server → **Next**: the wizard's first step. */
export async function installLibraryImage(page: Page, serverName: string): Promise<void> {
  await page.getByRole('button', { name: 'Install this image' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('searchbox', { name: 'Search servers' }).fill(serverName);
  await dialog.getByRole('radio', { name: serverName }).check();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(
    page.getByRole('radio', { name: 'Install from an OVHcloud template' }),
  ).toBeChecked();
}

/** At the window's width, how far the page reaches, and the innermost elements past its edge. */
export function pageWidth(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; wider: string[] }> {
  return page.evaluate(() => {
    const past = (element: Element) => element.getBoundingClientRect().right > innerWidth + 0.5;
    return {
      scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
      innerWidth,
      wider: [...document.body.querySelectorAll('*')]
        .filter((element) => past(element) && ![...element.children].some(past))
        .slice(0, 5)
        .map(
          (element) => `<${element.tagName.toLowerCase()} class="${element.className.toString()}">`,
        ),
    };
  });
}

/** The page scrolls no wider than the window (tables scroll or stack inside their own frame). */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const { scrollWidth, innerWidth, wider } = await pageWidth(page);
  expect(scrollWidth, `${screen}: page width; wider: ${wider.join(' ')}`).toBeLessThanOrEqual(
    innerWidth,
  );
}
