/**
 * A fleet rollout as an operator walks it, by role and label only: the server list's selection,
 * the new rollout form, the preflight matrix, the typed confirmation and the live view. Each helper
 * ends on what the next step shows.
 */
import type { Locator, Page } from '@playwright/test';
import type { ImageKit, ImageServer } from '@byoi/test-kit';
import { expect } from './fixtures.ts';

/** The kit's UEFI-only raw image (48 MiB, \EFI\BOOT\BOOTX64.EFI): it fits every UEFI fleet server. */
export const ROLLOUT_IMAGE = 'raw-gpt-efi-fallback';
export const ROLLOUT_EFI_PATH = '\\efi\\boot\\bootx64.efi';

export interface RolloutFormInput {
  name: string;
  imageURL: string;
  imageCheckSum?: string;
  canary: number;
  batchSize: number;
  maxInFlight: number;
  skipBlocked: boolean;
}

/** The image URL on the local image server; `slow` keeps each install in its download step. */
export function rolloutImageURL(
  imageServer: ImageServer,
  kit: ImageKit,
  { slow = false }: { slow?: boolean } = {},
): string {
  return `${imageServer.url}/${slow ? 'slow/' : ''}images/${kit.images[ROLLOUT_IMAGE].file}`;
}

/** The server list searched for `search`, its rows loaded. */
export async function searchServers(page: Page, search: string, total: number): Promise<void> {
  if (!page.url().endsWith('/servers') && !page.url().includes('/servers?')) {
    await page.goto('/servers');
  }
  await page.getByLabel('Search by name or display name').fill(search);
  await expect(
    page.getByText(`${total} server${total === 1 ? '' : 's'} matching “${search}”`),
  ).toBeVisible();
  await expect(page.getByRole('table', { name: 'Dedicated servers' })).toHaveAttribute(
    'aria-busy',
    'false',
  );
}

/** The bar under the list while servers are selected. */
export function selectionBar(page: Page): Locator {
  return page.getByRole('region', { name: 'Selected servers' });
}

/** Ticks each server's checkbox on the list as it is. */
export async function tickServers(page: Page, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
}

/** **Reinstall selected** → the new rollout form. */
export async function reinstallSelected(page: Page): Promise<void> {
  await selectionBar(page).getByRole('button', { name: 'Reinstall selected' }).click();
  await expect(page).toHaveURL(/\/rollouts\/new/);
  await expect(page.getByRole('heading', { level: 1, name: 'New rollout' })).toBeVisible();
}

/** Fills the name, the image fields (typed, raw, EFI path) and the plan; the servers are given. */
export async function fillRolloutForm(page: Page, input: RolloutFormInput): Promise<void> {
  const form = page.getByRole('form', { name: 'New rollout' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(input.name);
  await form.getByRole('radio', { name: 'Type the image fields' }).check();
  await form.getByRole('textbox', { name: 'Image URL' }).fill(input.imageURL);
  await form.getByRole('combobox', { name: 'Image type' }).selectOption('raw');
  await form.getByRole('textbox', { name: 'EFI bootloader path' }).fill(ROLLOUT_EFI_PATH);
  if (input.imageCheckSum !== undefined) {
    await form.getByRole('textbox', { name: 'Image checksum' }).fill(input.imageCheckSum);
  }
  await form.getByRole('spinbutton', { name: 'Canary servers' }).fill(String(input.canary));
  await form.getByRole('spinbutton', { name: 'Batch size' }).fill(String(input.batchSize));
  await form
    .getByRole('spinbutton', { name: 'Installs at the same time' })
    .fill(String(input.maxInFlight));
  if (input.skipBlocked) {
    await form.getByRole('radio', { name: 'Skip them, listed with the reason' }).check();
  }
}

/** **Plan the rollout** → the rollout's page, once its check has run: returns its id. */
export async function planRollout(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Plan the rollout' }).click();
  await expect(page).toHaveURL(/\/rollouts\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Hardware profiles' })).toBeVisible({
    timeout: 30_000,
  });
  return decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
}

/** The matrix's rows: each profile's label, server count and verdict as shown. */
export async function profilesShown(
  page: Page,
): Promise<{ label: string; servers: number; verdict: string }[]> {
  const rows = page.getByRole('table', { name: 'Hardware profiles' }).getByRole('row');
  const shown = [];
  for (const row of (await rows.all()).slice(1)) {
    const [label = '', servers = '', verdict = ''] = await row.getByRole('cell').allInnerTexts();
    shown.push({ label, servers: Number(servers), verdict: verdict.trim() });
  }
  return shown;
}

/** **Start** → the dialog; the red button waits for the exact words. Ends on the live view. */
export async function startRollout(page: Page, name: string, count: number): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Start ${name}?` });
  const phrase = `reinstall ${count} server${count === 1 ? '' : 's'}`;
  const typed = dialog.getByRole('textbox', { name: `Type “${phrase}” to confirm` });
  const confirm = dialog.getByRole('button', { name: 'Start the rollout' });
  await expect(confirm).toBeDisabled();
  for (const almost of [phrase.slice(0, -1), phrase.toUpperCase(), `${phrase} now`]) {
    await typed.fill(almost);
    await expect(confirm).toBeDisabled();
  }
  await typed.fill(phrase);
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel('Servers by state')).toBeVisible();
}

/** The live view's counts, by the label each is shown with (`Done`, `Total`, …). */
export async function countsShown(page: Page): Promise<Record<string, number>> {
  const counts = page.getByLabel('Servers by state');
  const terms = await counts.getByRole('term').allInnerTexts();
  const values = await counts.getByRole('definition').allInnerTexts();
  return Object.fromEntries(terms.map((term, index) => [term, Number(values[index])]));
}

/** The live view's tiles of one state (`Done`, `Installing`, …): one link a server. */
export function tiles(page: Page, state: string): Locator {
  return page.getByRole('list', { name: `${state} servers` }).getByRole('link');
}

export function timeline(page: Page): Locator {
  return page.getByRole('list', { name: 'Timeline' });
}
