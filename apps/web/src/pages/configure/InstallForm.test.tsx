import type { PreflightReport } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { dataLossSentence } from '../../ui/words.ts';
import { saveForm, storageKey } from './formStorage.ts';

const CONFIGURE = `/servers/${SN}/install/configure`;

afterEach(() => {
  vi.unstubAllGlobals();
});

async function openForm() {
  const app = renderApp(CONFIGURE);
  await screen.findByRole('heading', {
    level: 1,
    name: `Install Bring Your Own Image - byoi on ${SN}`,
  });
  await screen.findByLabelText('Image URL');
  return app;
}

describe('configuration form', () => {
  it('shows the RAM limit next to the URL field', async () => {
    mockApi();
    await openForm();
    expect(
      screen.getByText(
        /The image must be smaller than the server's RAM minus 3 GiB: at most 29 GiB/,
      ),
    ).toBeInTheDocument();
  });

  it('rejects a non-http scheme on blur, next to the field', async () => {
    mockApi();
    const { user } = await openForm();
    const url = screen.getByLabelText('Image URL');
    await user.type(url, 'ftp://images.example.com/a.qcow2');
    await user.tab();
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'));
    expect(url).toHaveAccessibleDescription(/must start with http:\/\/ or https:\/\//);
  });

  it('rejects credentials in the URL and points to HTTP headers', async () => {
    mockApi();
    const { user } = await openForm();
    const url = screen.getByLabelText('Image URL');
    await user.type(url, 'https://bob:secret@images.example.com/a.qcow2');
    await user.tab();
    await waitFor(() => expect(url).toHaveAccessibleDescription(/add an HTTP header instead/));
  });

  it('infers the checksum type from a pasted checksum and says so', async () => {
    mockApi();
    const { user } = await openForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('a'.repeat(64));
    const type = screen.getByLabelText('Checksum type');
    expect(type).toHaveValue('sha256');
    expect(screen.getByText("Detected from the checksum's length")).toBeInTheDocument();
    await user.selectOptions(type, 'sha512');
    expect(screen.queryByText("Detected from the checksum's length")).not.toBeInTheDocument();
  });

  it('flags a checksum whose length does not match its type', async () => {
    mockApi();
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.qcow2');
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('b'.repeat(32));
    await user.selectOptions(screen.getByLabelText('Checksum type'), 'sha256');
    await user.tab();
    const checksum = screen.getByLabelText('Image checksum');
    await waitFor(() =>
      expect(checksum).toHaveAccessibleDescription(
        /A sha256 checksum has 64 hexadecimal characters but this one has 32/,
      ),
    );
  });

  it('asks for the type when a checksum has none, and focuses the first error on submit', async () => {
    mockApi();
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Image checksum'), 'xyz123');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    const url = screen.getByLabelText('Image URL');
    await waitFor(() => expect(url).toHaveFocus());
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Image type')).toHaveAccessibleDescription(
      /Choose the image type/,
    );
    expect(screen.getByLabelText('Image checksum')).toHaveAccessibleDescription(
      /only hexadecimal characters/,
    );
  });

  it('requires a checksum type for a checksum of unknown length', async () => {
    mockApi();
    const { user } = await openForm();
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste('c'.repeat(50));
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Checksum type')).toHaveAccessibleDescription(
        /Choose the checksum type of your checksum/,
      ),
    );
  });

  it('adds HTTP header rows up to 10 and removes them by number', async () => {
    mockApi();
    const { user } = await openForm();
    const add = screen.getByRole('button', { name: 'Add HTTP header' });
    for (let i = 0; i < 10; i++) await user.click(add);
    expect(screen.getAllByLabelText('HTTP header name')).toHaveLength(10);
    expect(add).toBeDisabled();
    expect(screen.getByText(/The limit of 10 is reached/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Remove HTTP header 3' }));
    expect(screen.getAllByLabelText('HTTP header name')).toHaveLength(9);
    expect(add).toBeEnabled();
  });

  it('masks header values with a reveal toggle', async () => {
    mockApi();
    const { user } = await openForm();
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    const value = screen.getByLabelText('HTTP header value');
    expect(value).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Show HTTP header value 1' }));
    expect(value).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide HTTP header value 1' }));
    expect(value).toHaveAttribute('type', 'password');
  });

  it('rejects a header value with a newline and duplicate header names', async () => {
    mockApi();
    const { user } = await openForm();
    const add = screen.getByRole('button', { name: 'Add HTTP header' });
    await user.click(add);
    await user.click(add);
    const names = screen.getAllByLabelText('HTTP header name');
    const values = screen.getAllByLabelText('HTTP header value');
    await user.type(names[0]!, 'Authorization');
    await user.click(values[0]!);
    await user.paste('Bearer a\nb');
    await user.type(names[1]!, 'authorization');
    await user.type(values[1]!, 'Bearer c');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(values[0]).toHaveAccessibleDescription(/must fit on one line/));
    expect(names[1]).toHaveAccessibleDescription(/already set above/);
  });

  it('says which kind of user data it sees and shows YAML errors with the line', async () => {
    mockApi();
    const { user } = await openForm();
    const editor = screen.getByLabelText('Config Drive user data');
    await user.click(editor);
    await user.paste('#!/bin/bash\necho hi');
    expect(await screen.findByText(/Detected: script/)).toBeInTheDocument();
    await user.clear(editor);
    await user.paste('#cloud-config\npackages:\n  - htop\n bad: [');
    expect(await screen.findByText(/Detected: #cloud-config/)).toBeInTheDocument();
    expect(await screen.findByText(/^Line \d+:/)).toBeInTheDocument();
    await user.tab();
    await waitFor(() =>
      expect(editor).toHaveAccessibleDescription(/The #cloud-config YAML is invalid at line \d+/),
    );
  });

  it('rejects a hostname with an underscore, a bad SSH key and a bad EFI path', async () => {
    mockApi();
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Custom hostname'), 'web_1.example.com');
    await user.type(screen.getByLabelText('SSH public key'), 'ssh-rsa notbase64!!');
    await user.clear(screen.getByLabelText('EFI bootloader path'));
    await user.type(screen.getByLabelText('EFI bootloader path'), 'grubx64.efi');
    await user.tab();
    await waitFor(() =>
      expect(screen.getByLabelText('Custom hostname')).toHaveAccessibleDescription(/web_1/),
    );
    expect(screen.getByLabelText('SSH public key')).toHaveAccessibleDescription(
      /incomplete or damaged/,
    );
    expect(screen.getByLabelText('EFI bootloader path')).toHaveAccessibleDescription(
      /ending with \.efi/,
    );
  });

  it("starts the EFI bootloader path with the server's current one at OVH, and says so", async () => {
    mockApi();
    const { user } = await openForm();
    const field = screen.getByLabelText('EFI bootloader path');
    expect(field).toHaveValue('\\efi\\debian\\grubx64.efi');
    expect(field).toHaveAccessibleDescription(/Filled in with the server's current path at OVH/);
    await user.clear(field);
    await user.type(field, '\\EFI\\BOOT\\BOOTX64.EFI');
    expect(field).not.toHaveAccessibleDescription(/Filled in with the server's current path/);
  });

  it('keeps Confirm disabled until the server name is typed', async () => {
    mockApi();
    const { user } = await openForm();
    expect(screen.getByText(dataLossSentence(SN))).toBeInTheDocument();
    const confirm = screen.getByRole('button', { name: 'Confirm' });
    expect(confirm).toBeDisabled();
    const typed = screen.getByLabelText('Type the server name to confirm');
    await user.type(typed, SN.slice(0, -1));
    expect(confirm).toBeDisabled();
    await user.type(typed, SN.slice(-1));
    expect(confirm).toBeEnabled();
  });

  it('puts the BFF 400 fieldErrors on the fields they name', async () => {
    const { calls } = mockApi({
      [`POST /api/servers/${SN}/install`]: () => ({
        status: 400,
        body: {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'The install form has errors.',
            details: {
              fieldErrors: {
                imageURL: ['The image host does not resolve.'],
                'httpHeaders.0.value': ['The server refused this header value.'],
              },
            },
          },
        },
      }),
    });
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.qcow2');
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await user.type(screen.getByLabelText('HTTP header value'), 'Bearer t0ken');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    const url = screen.getByLabelText('Image URL');
    await waitFor(() => expect(url).toHaveAccessibleDescription(/does not resolve/));
    expect(url).toHaveFocus();
    expect(screen.getByLabelText('HTTP header value')).toHaveAccessibleDescription(
      /refused this header value/,
    );
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({
      imageURL: 'https://images.example.com/a.qcow2',
      imageType: 'qcow2',
      httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
    });
  });

  it('starts the install and opens the progress screen', async () => {
    const { calls } = mockApi({
      [`POST /api/servers/${SN}/install`]: () => ({
        status: 202,
        body: {
          route: 'install-start',
          task: {
            taskId: 1,
            function: 'reinstallServer',
            status: 'init',
            comment: null,
            startDate: new Date().toISOString(),
            doneDate: null,
            lastUpdate: null,
          },
        },
      }),
    });
    const { user, router } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.raw');
    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/progress`),
    );
    // A replay of the same Confirm must not start a second install: the BFF keys on this.
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.headers['Idempotency-Key']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('shows the exact API request with header values masked, and a node-ovh snippet', async () => {
    mockApi();
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.qcow2');
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await user.type(screen.getByLabelText('HTTP header value'), 'Bearer s3cret');
    await user.click(screen.getByText('Show API request'));
    const section = screen.getByRole('region', { name: 'API request' });
    expect(within(section).getByText(`/dedicated/server/${SN}/install/start`)).toBeInTheDocument();
    const body = within(section).getByLabelText('Request body');
    expect(body.textContent).toContain('"templateName": "byoi_64"');
    expect(body.textContent).toContain('httpHeaders0Key');
    expect(body.textContent).not.toContain('s3cret');
    const snippet = within(section).getByLabelText('node-ovh snippet');
    expect(snippet.textContent).toContain(
      `ovh.requestPromised('POST', '/dedicated/server/${SN}/install/start'`,
    );
    expect(snippet.textContent).not.toContain('s3cret');
    expect(within(section).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
  });
});

const INSTALL = `POST /api/servers/${SN}/install`;
const PREFLIGHT = `POST /api/servers/${SN}/preflight`;
const TOO_BIG = 'Could not download, qcow2 image is too big to download in memory.';
const started = {
  status: 202,
  body: {
    route: 'install-start',
    task: {
      taskId: 1,
      function: 'reinstallServer',
      status: 'init',
      comment: null,
      startDate: new Date().toISOString(),
      doneDate: null,
      lastUpdate: null,
    },
  },
};

const failing: PreflightReport = {
  serverName: SN,
  verdict: 'fail',
  checkedAt: '2026-11-26T01:30:00.000Z',
  predictedMessage: TOO_BIG,
  checks: [
    {
      id: 'size',
      status: 'fail',
      title: 'Fits in memory',
      sentence: 'The image is 40 GiB but this server can hold at most 29 GiB in memory.',
      predictedMessage: TOO_BIG,
    },
  ],
  facts: {
    finalURL: 'https://images.example.com/big.qcow2',
    httpStatus: 200,
    contentLength: 40 * 1024 ** 3,
    acceptRanges: true,
    detectedType: 'qcow2',
    description: null,
    virtualSizeBytes: null,
    partitionTable: null,
    uefiCapable: null,
    legacyCapable: null,
  },
  esp: null,
};

const ACK = `Install anyway: OVH will most likely answer “${TOO_BIG}”`;

describe('Confirm, gated by the verdict', () => {
  it('needs "Install anyway" after a failing check, and sends the acknowledged message', async () => {
    const { calls } = mockApi({ [PREFLIGHT]: () => ({ body: failing }), [INSTALL]: () => started });
    const { user, router } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/big.qcow2');
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    const ack = await screen.findByRole('checkbox', { name: ACK });
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    const confirm = screen.getByRole('button', { name: 'Confirm' });
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveAccessibleDescription(
      /Confirm stays off while a check predicts a failure/,
    );

    // Enter in a field does not get around it either.
    await user.type(screen.getByLabelText('Custom hostname'), 'web1{Enter}');
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/install'))).toBe(false);

    await user.click(ack);
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/progress`),
    );
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/install'));
    expect(post?.body).toMatchObject({
      imageURL: 'https://images.example.com/big.qcow2',
      acknowledgement: { predictedMessage: TOO_BIG },
    });
  });

  it('resets the acknowledgement when an image field changes, even back', async () => {
    mockApi({ [PREFLIGHT]: () => ({ body: failing }) });
    const { user } = await openForm();
    const url = screen.getByLabelText('Image URL');
    await user.type(url, 'https://images.example.com/big.qcow2');
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await user.click(await screen.findByRole('checkbox', { name: ACK }));
    expect(screen.getByRole('checkbox', { name: ACK })).toBeChecked();

    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    expect(screen.queryByRole('checkbox', { name: ACK })).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    expect(screen.getByRole('checkbox', { name: ACK })).not.toBeChecked();
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    expect(screen.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  });

  it('says so beside Confirm when no check was run, and sends no acknowledgement', async () => {
    const { calls } = mockApi({ [INSTALL]: () => started });
    const { user } = await openForm();
    expect(screen.getByRole('status', { name: 'Last image check' })).toHaveTextContent(
      'Not checked No image check was run:',
    );
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.raw');
    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/install'))).toBe(true));
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/install'));
    expect(post?.body).not.toHaveProperty('acknowledgement');
  });

  it('marks the required fields for people and for assistive technology', async () => {
    mockApi();
    await openForm();
    for (const label of ['Image URL', 'Image type', 'Type the server name to confirm']) {
      expect(screen.getByLabelText(label)).toHaveAttribute('aria-required', 'true');
    }
    // install-start: OVH does not require the EFI path on this route.
    expect(screen.getByLabelText('EFI bootloader path')).not.toHaveAttribute('aria-required');
    expect(screen.getByLabelText('Image checksum')).not.toHaveAttribute('aria-required');
    expect(screen.getByText(/are required\./)).toBeInTheDocument();
    // Grouped as the Control Panel does: the image, then the options.
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'Image',
      'Options',
      'Image check',
      'Confirm the installation',
      'Server',
    ]);
  });
});

const LAST = {
  imageURL: 'https://images.example.com/a.qcow2',
  imageType: 'qcow2' as const,
  imageCheckSum: 'b'.repeat(64),
  imageCheckSumType: 'sha256',
  httpHeaders: [{ name: 'Authorization', value: 'Bearer s3cret' }],
  configDriveUserData: '#cloud-config\npackages: [htop]',
  configDriveMetadata: [],
  customHostname: 'web1.example.com',
  sshKey: '',
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
};

describe('no silent reuse', () => {
  it('starts empty without an action, even with the last install kept', async () => {
    saveForm(SN, LAST);
    mockApi();
    await openForm();
    expect(screen.getByLabelText('Image URL')).toHaveValue('');
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('');
    expect(screen.getByLabelText('Config Drive user data')).toHaveValue('');
    expect(screen.queryByLabelText('HTTP header name')).not.toBeInTheDocument();
    // The one default: the server's own EFI path, and its hint says where it came from.
    expect(screen.getByLabelText('EFI bootloader path')).toHaveAccessibleDescription(
      /Filled in with the server's current path at OVH/,
    );
    expect(screen.queryByText(/came back/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Use the last values' })).toBeInTheDocument();
  });

  it('"Use the last values" brings them back and lists them, never a header value', async () => {
    saveForm(SN, LAST);
    expect(sessionStorage.getItem(storageKey(SN))).not.toContain('s3cret');
    mockApi();
    const { user } = await openForm();
    await user.click(screen.getByRole('button', { name: 'Use the last values' }));
    expect(screen.getByLabelText('Image URL')).toHaveValue(LAST.imageURL);
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('web1.example.com');
    expect(screen.getByLabelText('HTTP header name')).toHaveValue('Authorization');
    expect(screen.getByLabelText('HTTP header value')).toHaveValue('');
    const banner = screen.getByText(/these fields came back/).parentElement!;
    expect(banner).toHaveTextContent(
      `Use the last values: these fields came back from your last install on ${SN}: Image URL, Image type, Image checksum, Checksum type, Custom hostname, Config Drive user data, HTTP header names.`,
    );
    expect(banner).toHaveTextContent(/except HTTP header values/);
    expect(screen.queryByRole('button', { name: 'Use the last values' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Start from an empty form' }));
    expect(screen.getByLabelText('Image URL')).toHaveValue('');
    expect(screen.queryByText(/these fields came back/)).not.toBeInTheDocument();
  });

  it('"Reinstall with the same image" (?reuse=last) brings back the image fields only', async () => {
    saveForm(SN, LAST);
    mockApi();
    renderApp(`${CONFIGURE}?reuse=last`);
    expect(await screen.findByLabelText('Image URL')).toHaveValue(LAST.imageURL);
    expect(screen.getByLabelText('Image checksum')).toHaveValue(LAST.imageCheckSum);
    expect(screen.getByLabelText('HTTP header value')).toHaveValue('');
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('');
    expect(screen.getByLabelText('Config Drive user data')).toHaveValue('');
    expect(screen.getByText(/these fields came back/).parentElement).toHaveTextContent(
      'Reinstall with the same image: these fields came back from your last install on ' +
        `${SN}: Image URL, Image type, Image checksum, Checksum type, HTTP header names.`,
    );
  });

  it('"Edit and retry" brings back every field, and says so', async () => {
    saveForm(SN, LAST);
    mockApi();
    renderApp(CONFIGURE, { retry: true });
    expect(await screen.findByLabelText('Image URL')).toHaveValue(LAST.imageURL);
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('web1.example.com');
    expect(screen.getByLabelText('HTTP header value')).toHaveValue('');
    expect(screen.getByText(/Edit and retry: these fields came back/)).toBeInTheDocument();
    expect(screen.getByText(/except HTTP header values/)).toBeInTheDocument();
  });

  it('says the form starts empty when an action finds nothing kept', async () => {
    mockApi();
    renderApp(`${CONFIGURE}?reuse=last`);
    expect(await screen.findByLabelText('Image URL')).toHaveValue('');
    expect(
      screen.getByText(/Reinstall with the same image: no values of an earlier install/),
    ).toBeInTheDocument();
  });

  it('keeps the values of an install that started, without header values', async () => {
    mockApi({ [INSTALL]: () => started });
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.raw');
    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await user.type(screen.getByLabelText('HTTP header value'), 'Bearer s3cret');
    // Typing alone keeps nothing.
    expect(sessionStorage.getItem(storageKey(SN))).toBeNull();
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(sessionStorage.getItem(storageKey(SN))).not.toBeNull());
    const kept = sessionStorage.getItem(storageKey(SN)) ?? '';
    expect(kept).toContain('https://images.example.com/a.raw');
    expect(kept).toContain('Authorization');
    expect(kept).not.toContain('s3cret');
  });
});
