/**
 * Issue #9 in the browser: Check image predicts OVH's message before anything is confirmed, and a
 * checksum file fills Image checksum and Checksum type. Nothing reaches the simulator.
 */
import { UPSTREAM_MESSAGES } from '@byoi/shared';
import { expect, test } from './fixtures.ts';
import { fillForm, openConfiguration, openWithWrongChecksum, routeDefaults } from './wizard.ts';

const SMALL_RAM_SERVER = 'ns-small-ram.ip-51-91-2.eu';
const UEFI_SERVER = 'ns1234567.ip-51-91-0.eu';

test('an image too big for the RAM and a mis-declared qcow2 get OVH predicted message before Confirm', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}) => {
  // The small-RAM fixture server is shared with the failure tests: count what this test adds.
  const earlierInstalls = (await sim.installsFor(SMALL_RAM_SERVER)).length;
  await openConfiguration(page, SMALL_RAM_SERVER);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${kit.images['raw-big-sparse'].file}`,
    imageType: 'raw',
    ...routeDefaults(route),
  });
  await page.getByRole('button', { name: 'Check image' }).click();
  const tooBig = UPSTREAM_MESSAGES.imageTooBigForRam('raw');
  const checks = page.getByRole('list', { name: 'Image checks' });
  await expect(checks.getByText(tooBig, { exact: true })).toBeVisible();

  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
    imageType: 'qcow2',
    ...routeDefaults(route),
  });
  await page.getByRole('button', { name: 'Check image' }).click();
  const notQcow2 = UPSTREAM_MESSAGES.notQcow2('raw');
  await expect(checks.getByText(notQcow2, { exact: true })).toBeVisible();
  // Beside Confirm, the last check's verdict says the same before anything is erased.
  const verdict = page.getByRole('status', { name: 'Last image check' });
  await expect(verdict.getByText('Image check failed')).toBeVisible();
  await expect(verdict.getByText(notQcow2, { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Confirm' })).toBeDisabled();

  expect(await sim.installsFor(SMALL_RAM_SERVER)).toHaveLength(earlierInstalls);
  expect(await sim.installsFor(serverName)).toEqual([]);
  await expect(page.getByText(`OVH would answer: ${notQcow2}`).first()).toBeVisible();
});

test('a SHA256SUMS file fills the checksum fields', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const image = kit.images['raw-gpt'];
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${image.file}`,
    imageType: 'raw',
    ...routeDefaults(route),
  });
  await page
    .getByRole('textbox', { name: 'Checksum file URL' })
    .fill(`${imageServer.url}/sums/SHA256SUMS`);
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('textbox', { name: 'Image checksum' })).toHaveValue(image.sha256);
  await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue('sha256');
  await expect(
    page.getByText('Image checksum and Checksum type filled from the checksum file (sha256)', {
      exact: false,
    }),
  ).toBeVisible();
});

test('Verify checksum downloads the image and predicts a mismatch, then confirms a match', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}) => {
  const image = kit.images['raw-gpt'];
  const wrong = kit.images['raw-mbr'].sha256;
  await openWithWrongChecksum(page, { serverName, imageServer, kit, route });
  await page.getByRole('button', { name: 'Verify checksum' }).click();
  const mismatch = page.getByRole('alert').filter({ hasText: 'checksum does not match' });
  await expect(mismatch.getByText('The sha256 checksum does not match.')).toBeVisible();
  await expect(
    mismatch.getByText(UPSTREAM_MESSAGES.checksumMismatch('sha256', image.sha256, wrong), {
      exact: true,
    }),
  ).toBeVisible();

  await page.getByRole('textbox', { name: 'Image checksum' }).fill(image.sha256);
  await page.getByRole('button', { name: 'Verify checksum' }).click();
  await expect(page.getByText('The sha256 checksum matches')).toBeVisible();
  // The whole image went through the BFF's hashing download.
  const downloaded = imageServer.requests
    .filter((r) => r.method === 'GET' && r.path === `/images/${image.file}`)
    .reduce((sum, r) => sum + r.bytes, 0);
  expect(downloaded).toBeGreaterThanOrEqual(2 * image.size);
  expect(await sim.installsFor(serverName)).toEqual([]);
  await expect(page.getByText(image.sha256, { exact: true }).first()).toBeVisible();
});

test('a bootloader path the image does not hold fails the check before the wipe, and the one it holds is one click away', async ({
  operatorPage: page,
  imageServer,
  kit,
  sim,
}, testInfo) => {
  const image = kit.images.qcow2;
  // A UEFI server (the generated ones may boot legacy, which starts no EFI bootloader); only
  // checked, never installed, so sharing it with other tests is safe.
  const serverName = UEFI_SERVER;
  const before = (await sim.installsFor(serverName)).length;
  await openConfiguration(page, serverName);
  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${image.file}`,
    imageType: 'qcow2',
    efiBootloaderPath: '\\efi\\ubuntu\\shimx64.efi',
  });
  await page.getByRole('button', { name: 'Check image' }).click();
  const checks = page.getByRole('list', { name: 'Image checks' });
  const efi = checks.getByRole('listitem').filter({ hasText: 'EFI bootloader' });
  await expect(efi.getByText('Fail', { exact: true })).toBeVisible();
  await expect(efi).toContainText('\\efi\\ubuntu\\shimx64.efi is not in');
  await expect(page.getByRole('list', { name: 'EFI files in the image' })).toContainText(
    '\\EFI\\debian\\grubx64.efi',
  );
  await expect(page.getByRole('status', { name: 'Last image check' })).toContainText(
    'Image check failed',
  );
  await testInfo.attach('efi-check-failed', {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png',
  });

  await page.getByRole('button', { name: 'Use \\EFI\\debian\\grubx64.efi' }).click();
  await expect(page.getByRole('textbox', { name: 'EFI bootloader path' })).toHaveValue(
    '\\EFI\\debian\\grubx64.efi',
  );
  await expect(efi.getByText('Pass', { exact: true })).toBeVisible();
  // Nothing was sent to OVH: the server was never at risk.
  expect(await sim.installsFor(serverName)).toHaveLength(before);
});
