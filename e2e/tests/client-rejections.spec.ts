/**
 * Bad input is refused in the browser, before anything is sent: the message (the shared schema's
 * own words) shows at its field and the simulator records no install request. This also covers the
 * DESIGN.md rows OVH refuses at submit (checksum pair, checksum type, image type) and the Config
 * Drive row: the console never lets such a request leave.
 */
import { byoiFormSchemaFor } from '@byoi/shared';
import type { ByoiFormInput } from '@byoi/shared';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  confirmButton,
  confirmField,
  fillForm,
  openConfiguration,
  routeDefaults,
} from './wizard.ts';
import type { FormValues } from './wizard.ts';

const EMPTY: ByoiFormInput = {
  imageURL: '',
  imageType: 'raw',
  imageCheckSum: '',
  imageCheckSumType: '',
  httpHeaders: [],
  configDriveUserData: '',
  configDriveMetadata: [],
  customHostname: '',
  sshKey: '',
  efiBootloaderPath: '',
};

/** The message the shared schema gives for `path` with these values. */
function schemaMessage(route: string, values: Partial<ByoiFormInput>, path: string): string {
  const schema = byoiFormSchemaFor(route === 'reinstall' ? 'reinstall' : 'install-start');
  const result = schema.safeParse({ ...EMPTY, ...values });
  const issue = result.success
    ? undefined
    : result.error.issues.find((i) => i.path.join('.') === path);
  if (!issue) throw new Error(`The schema accepts ${path} here: the test's input is wrong.`);
  return issue.message;
}

/** Pastes text into a field, as the operator's clipboard would (line breaks included). */
async function paste(field: Locator, text: string): Promise<void> {
  await field.focus();
  await field.evaluate((element, value) => {
    const data = new DataTransfer();
    data.setData('text/plain', value);
    element.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, text);
}

async function submitAndExpectRefusal(
  page: Page,
  serverName: string,
  field: Locator,
  message: string,
): Promise<void> {
  const installPosts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/install$/.test(new URL(request.url()).pathname)) {
      installPosts.push(request.url());
    }
  });
  await confirmField(page).fill(serverName);
  await confirmButton(page).click();
  await expect(page.getByText('Some fields need attention', { exact: false })).toBeVisible();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(message, { exact: true })).toBeVisible();
  expect(installPosts, 'the browser sent no install request').toEqual([]);
  // Still on the configuration page: nothing started.
  await expect(
    page.getByRole('heading', { level: 1, name: /^Install Bring Your Own Image/ }),
  ).toBeVisible();
}

interface Case {
  title: string;
  values: (imageURL: string) => Partial<FormValues>;
  field: (page: Page) => Locator;
  path: string;
  /** Steps after filling, e.g. changing the inferred checksum type. */
  after?: (page: Page) => Promise<unknown>;
  /** The value the schema sees, when the UI gets there in several steps. */
  schemaValues?: (imageURL: string) => Partial<ByoiFormInput>;
}

const sha256 = 'ab'.repeat(32);

const CASES: Case[] = [
  {
    title: 'a sha256-long checksum with type md5',
    values: () => ({ imageCheckSum: sha256 }),
    after: (page) => page.getByRole('combobox', { name: 'Checksum type' }).selectOption('md5'),
    schemaValues: () => ({ imageCheckSum: sha256, imageCheckSumType: 'md5' }),
    field: (page) => page.getByRole('textbox', { name: 'Image checksum' }),
    path: 'imageCheckSum',
  },
  {
    title: 'a checksum without its type (OVH: checkSum AND checkSumType)',
    values: () => ({ imageCheckSum: sha256 }),
    after: (page) => page.getByRole('combobox', { name: 'Checksum type' }).selectOption(''),
    schemaValues: () => ({ imageCheckSum: sha256, imageCheckSumType: '' }),
    field: (page) => page.getByRole('combobox', { name: 'Checksum type' }),
    path: 'imageCheckSumType',
  },
  {
    title: 'an ftp:// URL',
    values: () => ({ imageURL: 'ftp://127.0.0.1/images/raw-gpt.img' }),
    field: (page) => page.getByRole('textbox', { name: 'Image URL' }),
    path: 'imageURL',
  },
  {
    title: 'a file:// URL',
    values: () => ({ imageURL: 'file:///var/lib/images/raw-gpt.img' }),
    field: (page) => page.getByRole('textbox', { name: 'Image URL' }),
    path: 'imageURL',
  },
  {
    title: 'credentials in the URL',
    values: (url) => ({ imageURL: url.replace('http://', 'http://reader:secret@') }),
    field: (page) => page.getByRole('textbox', { name: 'Image URL' }),
    path: 'imageURL',
  },
  {
    title: 'malformed #cloud-config YAML',
    values: () => ({ configDriveUserData: '#cloud-config\npackages:\n  - htop\n bad: [x\n' }),
    field: (page) => page.getByRole('textbox', { name: 'Config Drive user data' }),
    path: 'configDriveUserData',
  },
  {
    title: 'user data that is neither #cloud-config nor a script (OVH: configdrive)',
    values: () => ({ configDriveUserData: 'hostname: web1\n' }),
    field: (page) => page.getByRole('textbox', { name: 'Config Drive user data' }),
    path: 'configDriveUserData',
  },
  {
    title: 'a hostname with an underscore',
    values: () => ({ customHostname: 'web_1.example.com' }),
    field: (page) => page.getByRole('textbox', { name: 'Custom hostname' }),
    path: 'customHostname',
  },
];

test.describe('client-side rejections: nothing is sent', () => {
  for (const item of CASES) {
    test(item.title, async ({ operatorPage: page, serverName, imageServer, kit, sim, route }) => {
      const imageURL = `${imageServer.url}/images/${kit.images['raw-gpt'].file}`;
      const values: FormValues = {
        imageURL,
        imageType: 'raw',
        ...routeDefaults(route),
        ...item.values(imageURL),
      };
      await openConfiguration(page, serverName);
      await fillForm(page, values);
      await item.after?.(page);
      const { imageURL: url, imageType, ...rest } = values;
      const message = schemaMessage(
        route,
        {
          imageURL: url,
          imageType,
          ...rest,
          ...item.schemaValues?.(imageURL),
        },
        item.path,
      );
      await submitAndExpectRefusal(page, serverName, item.field(page), message);
      expect(await sim.installsFor(serverName)).toEqual([]);
      await expect(page.getByText(message, { exact: true })).toBeVisible();
    });
  }

  test('an HTTP header value with a line break', async ({
    operatorPage: page,
    serverName,
    imageServer,
    kit,
    sim,
    route,
  }) => {
    await openConfiguration(page, serverName);
    await fillForm(page, {
      imageURL: `${imageServer.url}/auth/images/${kit.images['raw-gpt'].file}`,
      imageType: 'raw',
      ...routeDefaults(route),
    });
    await page.getByRole('button', { name: 'Add HTTP header' }).click();
    await page.getByLabel('HTTP header name', { exact: true }).fill('Authorization');
    const valueField = page.getByLabel('HTTP header value', { exact: true });
    await paste(valueField, `${imageServer.authorization}\nX-Injected: yes`);
    const message = schemaMessage(
      route,
      { httpHeaders: [{ name: 'Authorization', value: 'a\nb' }] },
      'httpHeaders.0.value',
    );
    await submitAndExpectRefusal(page, serverName, valueField, message);
    expect(await sim.installsFor(serverName)).toEqual([]);
    await expect(page.getByText(message, { exact: true })).toBeVisible();
  });

  test('only the checksum types and image types OVH accepts can be chosen', async ({
    operatorPage: page,
    serverName,
  }) => {
    await openConfiguration(page, serverName);
    const checksumTypes = page.getByRole('combobox', { name: 'Checksum type' }).getByRole('option');
    await expect(checksumTypes).toHaveText(['None', 'md5', 'sha1', 'sha256', 'sha512']);
    const imageTypes = page.getByRole('combobox', { name: 'Image type' }).getByRole('option');
    await expect(imageTypes).toHaveText(['Choose a type', 'qcow2', 'raw']);
  });
});
