/**
 * One test per failure row of DESIGN.md's table that OVH reports after the install started: a real
 * image that meets exactly that failure, OVH's message verbatim and the catalog's remedy on the
 * progress screen, then "Edit and retry" bringing the values back. (The rows OVH refuses at submit
 * and the Config Drive row cannot be sent from this console: see client-rejections.spec.ts.)
 */
import { explainUpstreamMessage, UPSTREAM_MESSAGES } from '@byoi/shared';
import type { Page } from '@playwright/test';
import type { ImageName } from '@byoi/test-kit';
import { expect, test } from './fixtures.ts';
import {
  confirmInstall,
  expectProgressScreen,
  failurePanel,
  fillForm,
  openConfiguration,
  routeDefaults,
  snapshot,
} from './wizard.ts';
import type { FormValues } from './wizard.ts';

/** Fixture servers with deliberately small RAM or disk (packages/ovh-simulator/src/fixtures.ts). */
const SMALL_RAM_SERVER = 'ns-small-ram.ip-51-91-2.eu';
const SMALL_DISK_SERVER = 'ns-small-disk.ip-51-91-3.eu';

/** A catalog sentence as the screen shows it: its `code` spans are set as code, without backticks. */
const asShown = (text: string) => text.replace(/`/g, '');

/**
 * The failure panel: OVH's message first, verbatim, then what it means (the catalog's title as
 * its first sentence, in bold) and how to fix it.
 */
async function expectFailure(page: Page, message: string | RegExp): Promise<string> {
  await expectProgressScreen(page);
  const panel = failurePanel(page);
  await expect(panel).toBeVisible({ timeout: 45_000 });
  const definitions = panel.getByRole('definition');
  await expect(panel.getByRole('term')).toHaveText([
    "OVH's message",
    'What it means',
    'How to fix it',
  ]);
  const shown = definitions.first();
  await expect(shown).toHaveText(message);
  const text = (await shown.textContent()) ?? '';
  const entry = explainUpstreamMessage(text);
  expect(entry.code).not.toBe('UNKNOWN');
  await expect(definitions.nth(1).locator('strong')).toHaveText(`${entry.title}.`);
  await expect(definitions.nth(1)).toHaveText(`${entry.title}. ${asShown(entry.meaning)}`);
  await expect(definitions.nth(2)).toHaveText(asShown(entry.remedy));
  return text;
}

/** "Edit and retry" → the configuration page with the previous values. */
async function expectEditAndRetry(page: Page, values: FormValues): Promise<void> {
  await failurePanel(page).getByRole('button', { name: 'Edit and retry' }).click();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toHaveValue(values.imageURL);
  await expect(page.getByRole('combobox', { name: 'Image type' })).toHaveValue(values.imageType);
  await expect(page.getByRole('textbox', { name: 'Image checksum' })).toHaveValue(
    values.imageCheckSum ?? '',
  );
  await expect(page.getByRole('combobox', { name: 'Checksum type' })).toHaveValue(
    values.imageCheckSumType ?? '',
  );
  await expect(page.getByRole('textbox', { name: 'Custom hostname' })).toHaveValue(
    values.customHostname ?? '',
  );
  if (values.httpHeaders?.length) {
    // Header names come back; their values are secrets and are never kept.
    await expect(page.getByLabel('HTTP header name', { exact: true })).toHaveValue(
      values.httpHeaders[0]?.name ?? '',
    );
    await expect(page.getByLabel('HTTP header value', { exact: true })).toHaveValue('');
    await expect(
      page.getByText('Your previous values are back, except HTTP header values', { exact: false }),
    ).toBeVisible();
  }
  // Nothing is confirmed on the operator's behalf.
  await expect(page.getByRole('button', { name: 'Confirm' })).toBeDisabled();
}

interface Row {
  title: string;
  image: ImageName;
  /** The path on the image server; `/images/<file>` by default. */
  path?: string;
  declared: 'qcow2' | 'raw';
  server?: string;
  checksumFrom?: ImageName;
  /** Sends the image server's Authorization header (its value must not come back on retry). */
  withHeader?: boolean;
  message: (ctx: { url: string; virtualSize: number }) => string | RegExp;
}

const ROWS: Row[] = [
  {
    title: 'an ISO declared raw → Bad format image',
    image: 'iso',
    declared: 'raw',
    message: () => UPSTREAM_MESSAGES.badFormat(),
  },
  {
    title: 'an unreachable URL (HTTP 404) → Could not download image',
    image: 'raw-gpt',
    path: '/status/404',
    declared: 'raw',
    withHeader: true,
    message: () => UPSTREAM_MESSAGES.downloadFailed('The requested URL returned error: 404'),
  },
  {
    title: 'an image larger than RAM − 3 GiB → too big to download in memory',
    image: 'raw-big-sparse',
    declared: 'raw',
    server: SMALL_RAM_SERVER,
    message: () => UPSTREAM_MESSAGES.imageTooBigForRam('raw'),
  },
  {
    title: 'a wrong sha256 → Bad sha256 for downloaded file',
    image: 'raw-gpt',
    declared: 'raw',
    checksumFrom: 'raw-mbr',
    message: () =>
      /^Bad sha256 for downloaded file, got: [0-9a-f]{64} while expecting [0-9a-f]{64}\.$/,
  },
  {
    title: 'a raw image declared qcow2 → does not match expected qcow2 format',
    image: 'raw-gpt',
    declared: 'qcow2',
    message: () => UPSTREAM_MESSAGES.notQcow2('raw'),
  },
  {
    title: 'a qcow2 declared raw → no partition table was found',
    image: 'qcow2',
    declared: 'raw',
    message: () => UPSTREAM_MESSAGES.rawNoPartitionTable('QEMU QCOW2 Image (v3)'),
  },
  {
    title: 'a 64 GiB-virtual qcow2 on a 16 MB disk → larger than the disk',
    image: 'qcow2-big-virtual',
    declared: 'qcow2',
    server: SMALL_DISK_SERVER,
    message: ({ virtualSize }) =>
      new RegExp(
        `^image provided has a size of ${virtualSize} bytes which is larger than /dev/sda of \\d+ bytes$`,
      ),
  },
  {
    title: "a qcow2 with a backing file → Can't write qcow2 on disk",
    image: 'qcow2-backing',
    declared: 'qcow2',
    message: () => UPSTREAM_MESSAGES.writeFailed('qcow2'),
  },
  {
    title: 'a raw image with a corrupt GPT → Can not move backup GPT data structures',
    image: 'raw-gpt-corrupt',
    declared: 'raw',
    message: () => UPSTREAM_MESSAGES.gptRelocationFailed(),
  },
];

test.describe('failures OVH reports during the install', () => {
  for (const row of ROWS) {
    test(row.title, async ({ operatorPage: page, serverName, imageServer, kit, route }, info) => {
      const image = kit.images[row.image];
      const server = row.server ?? serverName;
      const url = `${imageServer.url}${row.path ?? `/images/${image.file}`}`;
      const checksum = row.checksumFrom ? kit.images[row.checksumFrom].sha256 : undefined;
      const values: FormValues = {
        imageURL: url,
        imageType: row.declared,
        customHostname: 'retry.example.com',
        ...(checksum ? { imageCheckSum: checksum, imageCheckSumType: 'sha256' } : {}),
        ...(row.withHeader
          ? { httpHeaders: [{ name: 'Authorization', value: imageServer.authorization }] }
          : {}),
        ...routeDefaults(route),
      };

      await openConfiguration(page, server);
      await fillForm(page, values);
      await confirmInstall(page, server);
      const shown = await expectFailure(
        page,
        row.message({ url, virtualSize: image.virtualSize ?? image.size }),
      );
      if (row.checksumFrom) {
        expect(shown).toBe(
          UPSTREAM_MESSAGES.checksumMismatch('sha256', image.sha256, checksum ?? ''),
        );
      }
      await snapshot(page, info, 'progress-failed');
      await expectEditAndRetry(page, values);
    });
  }
});
