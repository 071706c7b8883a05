/**
 * The screens the README shows, as an operator sees them: each at 1440 × 900 and at 420 px wide,
 * written to docs/screenshots/<name>.png and <name>-420.png (the header's menu only at 420 px).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UPSTREAM_MESSAGES } from '@byoi/shared';
import type { Page } from '@playwright/test';
import { SIMULATOR_CLOCK_SPEED } from '../support/env.ts';
import { expect, test } from '../tests/fixtures.ts';
import {
  countsShown,
  fillRolloutForm,
  planRollout,
  reinstallSelected,
  rolloutImageURL,
  ROLLOUT_EFI_PATH,
  ROLLOUT_IMAGE,
  searchServers,
  selectionBar,
  startRollout,
  tickServers,
  timeline,
} from '../tests/rollout.ts';
import {
  confirmButton,
  confirmField,
  chooseByoiTemplate,
  confirmInstall,
  createLibraryImage,
  expectInstallDone,
  expectProgressScreen,
  failurePanel,
  fillForm,
  installLibraryImage,
  openConfiguration,
  openInstallDialog,
  openInstallHistory,
  openServerPage,
  openWithWrongChecksum,
  routeDefaults,
} from '../tests/wizard.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const UEFI_SERVER = 'ns1234567.ip-51-91-0.eu';
/** A single 16 MB disk: the rollout image does not fit it, so its profile is blocked. */
const SMALL_DISK_SERVER = 'ns-small-disk.ip-51-91-3.eu';
const WIDTHS = [
  { suffix: '', width: 1440, height: 900 },
  { suffix: '-420', width: 420, height: 900 },
] as const;

/** The headers a state-changing API call from the page's session needs. */
async function writeHeaders(page: Page): Promise<Record<string, string>> {
  const origin = new URL(page.url()).origin;
  const cookies = await page.context().cookies(origin);
  const csrf = cookies.find((cookie) => cookie.name === 'byoi_csrf')?.value ?? '';
  return { Origin: origin, 'X-CSRF-Token': csrf };
}

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

/**
 * Shoots the screen as it is at each width: the window is only resized, so what the operator did
 * to get there (a check, an install) is done once. `fullPage: false` keeps the window's frame (a
 * dialog, a long list).
 */
async function shootAsIs(
  page: Page,
  name: string,
  { region, fullPage = true }: { region?: string; fullPage?: boolean } = {},
): Promise<void> {
  for (const { suffix, width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    const file = path.join(OUT, `${name}${suffix}.png`);
    // A dialog fades in: its animation is finished first, so it is not shot half transparent.
    if (region) {
      await page
        .getByRole('region', { name: region })
        .screenshot({ path: file, animations: 'disabled' });
    } else await page.screenshot({ path: file, fullPage, animations: 'disabled' });
  }
}

test('servers list, and the header menu at 420 px', async ({ operatorPage: page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/servers');
  const servers = page.getByRole('table', { name: 'Dedicated servers' });
  await expect(servers.getByRole('link').first()).toBeVisible();
  await expect(servers).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'servers', { fullPage: false });

  await page.setViewportSize({ width: 420, height: 900 });
  await page.getByRole('banner').getByRole('button', { name: 'Menu' }).click();
  await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'header-menu-420.png'), animations: 'disabled' });
});

test('install dialog, step 2 with Bring Your Own Image chosen', async ({
  operatorPage: page,
  serverName,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openServerPage(page, serverName);
  await openInstallDialog(page);
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('button', { name: 'Custom' }).click();
  await dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }).check();
  await shootAsIs(page, 'install-dialog', { fullPage: false });
});

test('an install that completes, then the server page with the last installation', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const image = kit.images.qcow2;
  await page.setViewportSize({ width: 1440, height: 900 });
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${image.file}`,
    imageType: 'qcow2',
    imageCheckSum: image.sha256,
    customHostname: 'web1.example.com',
    configDriveMetadata: [{ key: 'role', value: 'webserver' }],
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectInstallDone(page);
  await shootAsIs(page, 'progress-done');

  await page
    .getByRole('navigation', { name: 'Breadcrumb' })
    .getByRole('link', { name: serverName })
    .click();
  await expect(
    page.getByRole('region', { name: 'Last installation' }).getByText('Installation complete'),
  ).toBeVisible();
  await shootAsIs(page, 'server-page');
});

test('a failing verdict and Install anyway, the stale report, the failed install, the audit log', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const image = kit.images['raw-gpt'];
  const wrong = kit.images['raw-mbr'].sha256;
  const predicted = UPSTREAM_MESSAGES.checksumMismatch('sha256', image.sha256, wrong);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openWithWrongChecksum(page, { serverName, imageServer, kit, route });
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  await page.getByRole('button', { name: 'Verify checksum' }).click();
  await expect(page.getByText('The sha256 checksum does not match.')).toBeVisible();
  const installAnyway = page.getByRole('checkbox', {
    name: `Install anyway: OVH will most likely answer “${predicted}”`,
  });
  await confirmField(page).fill(serverName);
  await installAnyway.check();
  await expect(confirmButton(page)).toBeEnabled();
  await shootAsIs(page, 'verdict-fail', { region: 'Confirm the installation' });

  // Another checksum typed: both results are about another image now, folded as out of date.
  const checksum = page.getByRole('textbox', { name: 'Image checksum' });
  await checksum.fill(image.sha256);
  const imageCheck = page.getByRole('region', { name: 'Image check' });
  for (const summary of await imageCheck.locator('summary').all()) await summary.click();
  await expect(imageCheck.getByText('Changed since: Image checksum.').first()).toBeVisible();
  await shootAsIs(page, 'stale-check', { region: 'Image check' });

  await checksum.fill(wrong);
  await installAnyway.check();
  await page.setViewportSize({ width: 1440, height: 900 });
  await confirmButton(page).click();
  await expectProgressScreen(page);
  await expect(failurePanel(page)).toBeVisible({ timeout: 45_000 });
  await shootAsIs(page, 'progress-failed');

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('textbox', { name: 'Server' }).fill(serverName);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText(/entries matching the filters/)).toBeVisible();
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit.getByRole('row').filter({ hasText: /Install #task \d+ failed/ })).toHaveCount(
    1,
  );
  await expect(audit).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'audit-log');
});

test('Cancel installation asks first', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openConfiguration(page, serverName);
  // The image server's 1 MiB/s route keeps the install in its download step.
  await fillForm(page, {
    imageURL: `${imageServer.url}/slow/images/${kit.images['raw-2g-sparse'].file}`,
    imageType: 'raw',
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectProgressScreen(page);
  await page.getByRole('button', { name: 'Cancel installation' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('button', { name: 'Keep installing' })).toBeFocused();
  await shootAsIs(page, 'cancel-dialog', { fullPage: false });
  await dialog.getByRole('button', { name: 'Cancel installation' }).click();
  await expect(page.getByText('Installation cancelled', { exact: true })).toBeVisible();
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

test('the server page’s Install history tab', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // A failed install, then one that completes: the tab shows both outcomes.
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
    imageType: 'raw',
    imageCheckSum: kit.images['raw-mbr'].sha256,
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectProgressScreen(page);
  await expect(failurePanel(page)).toBeVisible({ timeout: 45_000 });

  const image = kit.images.qcow2;
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/auth/images/${image.file}`,
    imageType: 'qcow2',
    imageCheckSum: image.sha256,
    httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }],
    customHostname: 'web1.example.com',
    configDriveUserData: '#cloud-config\npackages: [nginx]\n',
    ...routeDefaults(route),
  });
  await confirmInstall(page, serverName);
  await expectInstallDone(page);

  const table = await openInstallHistory(page, serverName);
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByText('Done', { exact: true })).toBeVisible();
  await expect(table).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'server-history');
});

test('the image library, an image, and the wizard from the library', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await createLibraryImage(page, {
    name: 'Ubuntu 24.04 build servers',
    notes: 'CI runners; rebuilt every month.',
    imageURL: `${imageServer.url}/images/${kit.images.qcow2.file}`,
    imageType: 'qcow2',
    imageCheckSum: kit.images.qcow2.sha256,
    efiBootloaderPath: '\\efi\\ubuntu\\shimx64.efi',
  });
  const image = kit.images['raw-gpt'];
  await createLibraryImage(page, {
    name: 'Debian 12 web servers',
    notes: 'Web tier; maintained by the platform team.',
    imageURL: `${imageServer.url}/auth/images/${image.file}`,
    imageType: 'raw',
    ...routeDefaults(route),
    httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }],
  });
  await page.getByRole('button', { name: 'New version' }).click();
  const form = page.getByRole('form', { name: 'New version (v2)' });
  await form.getByRole('textbox', { name: 'Image checksum' }).fill(image.sha256);
  await form.getByRole('textbox', { name: 'Version notes' }).fill('With its checksum');
  await form.getByRole('button', { name: 'Add the version' }).click();
  await expect(page.getByText('Version 2 added: it is now the latest.')).toBeVisible();
  const detailURL = page.url();

  // The wizard from the library, and an install, so "Where is it installed" has a row.
  await installLibraryImage(page, serverName);
  await chooseByoiTemplate(page);
  await expect(page.getByText('From the image library: Debian 12 web servers v2')).toBeVisible();
  await shootAsIs(page, 'wizard-from-library', { fullPage: false });
  await expect(
    page.getByRole('list', { name: 'HTTP headers stored in the library' }),
  ).toBeVisible();
  await shootAsIs(page, 'wizard-from-library-headers', { region: 'Options' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await confirmInstall(page, serverName);
  await expectInstallDone(page);

  await page.goto(detailURL);
  const where = page.getByRole('table', { name: 'Where it is installed' });
  await expect(where.getByRole('row').filter({ hasText: serverName })).toBeVisible();
  await shootAsIs(page, 'library-image');

  await page.getByRole('link', { name: 'Images', exact: true }).first().click();
  const list = page.getByRole('table', { name: 'Images' });
  await expect(list.getByRole('row')).toHaveCount(3);
  await expect(list).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'library');
});

test('a fleet rollout: the selection, the plan, the matrix, the live view, the history', async ({
  operatorPage: page,
  rolloutServers,
  imageServer,
  kit,
  sim,
}) => {
  const fleet = await rolloutServers('ns410008');
  const uefi = fleet.filter((server) => server.bootMode === 'uefi');
  const chosen = uefi.slice(0, 5);
  const name = 'Debian 12.8 on the web tier';
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/servers');
  // An older rollout, aborted, so the history has more than one row.
  const older = await page.request.post('/api/rollouts', {
    headers: await writeHeaders(page),
    data: {
      name: 'Rocky 9 on the batch hosts',
      servers: uefi.slice(5, 7).map((server) => server.name),
      image: {
        imageURL: rolloutImageURL(imageServer, kit),
        imageType: 'raw',
        efiBootloaderPath: ROLLOUT_EFI_PATH,
      },
      plan: { canary: 1, batchSize: 1, maxInFlight: 1 },
    },
  });
  expect(older.status()).toBe(201);
  const { id } = (await older.json()) as { id: string };
  const aborted = await page.request.post(`/api/rollouts/${id}/abort`, {
    headers: await writeHeaders(page),
  });
  expect(aborted.status()).toBe(200);

  // The small-disk server first: its profile is the matrix's blocked one.
  await searchServers(page, 'small-disk', 1);
  await tickServers(page, [SMALL_DISK_SERVER]);
  await searchServers(page, 'ns410008', fleet.length);
  await tickServers(
    page,
    chosen.map((server) => server.name),
  );
  await expect(selectionBar(page).getByRole('status')).toHaveText('6 servers selected');
  await page.mouse.move(0, 0);
  await shootAsIs(page, 'servers-selection', { fullPage: false });

  await reinstallSelected(page);
  await fillRolloutForm(page, {
    name,
    imageURL: rolloutImageURL(imageServer, kit),
    imageCheckSum: kit.images[ROLLOUT_IMAGE].sha256,
    canary: 1,
    batchSize: 2,
    maxInFlight: 2,
    skipBlocked: true,
  });
  await shootAsIs(page, 'new-rollout');

  await page.setViewportSize({ width: 1440, height: 900 });
  await planRollout(page, name);
  await expect(page.getByRole('list', { name: 'Blocked servers' })).toContainText(
    SMALL_DISK_SERVER,
  );
  await shootAsIs(page, 'rollout-ready');

  // A slower clock holds the batch in its installs long enough to be seen.
  await sim.setClockSpeed(4);
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await startRollout(page, name, chosen.length);
    await expect
      .poll(
        async () => {
          const counts = await countsShown(page);
          return counts.Done === 1 && counts.Installing === 2;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    await shootAsIs(page, 'rollout-running');
  } finally {
    await sim.setClockSpeed(SIMULATOR_CLOCK_SPEED);
  }
  await expect(timeline(page)).toContainText('The rollout is done.', { timeout: 45_000 });
  await expect.poll(() => countsShown(page)).toMatchObject({ Done: chosen.length, Blocked: 1 });
  await shootAsIs(page, 'rollout-done');

  await page
    .getByRole('navigation', { name: 'Breadcrumb' })
    .getByRole('link', { name: 'Rollouts' })
    .click();
  const list = page.getByRole('table', { name: 'Rollouts' });
  await expect(list.getByRole('row').filter({ hasText: name })).toContainText('Done');
  await expect(list).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'rollouts');
});

test('webhooks, and the signing secret shown once', async ({ operatorPage: page }) => {
  // A receiver on loopback (the only hosts simulator mode calls): it takes every delivery.
  const receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  try {
    await shootWebhooks(page, `http://127.0.0.1:${port}/byoi-events`);
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

async function shootWebhooks(page: Page, url: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Add a webhook' });
  await form.getByRole('textbox', { name: 'URL' }).fill(url);
  await form.getByRole('textbox', { name: 'Description' }).fill('The on-call chat');
  await form.getByRole('button', { name: 'Add the webhook' }).click();
  const dialog = page.getByRole('dialog', { name: 'The webhook’s signing secret' });
  await expect(dialog.getByLabel('Signing secret', { exact: true })).toHaveText(/^whsec_/);
  await shootAsIs(page, 'webhook-secret', { fullPage: false });
  await dialog.getByRole('button', { name: 'I have copied the secret' }).click();
  await expect(dialog).toBeHidden();
  const table = page.getByRole('table', { name: 'Webhooks' });
  await expect(table.getByRole('row').filter({ hasText: url })).toBeVisible();
  await expect(table).toHaveAttribute('aria-busy', 'false');
  await shootAsIs(page, 'webhooks');
}
