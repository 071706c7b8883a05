import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

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
    expect(screen.getByText(/erases all data/)).toBeInTheDocument();
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

  it('keeps values across a reload but never header values', async () => {
    mockApi();
    const first = await openForm();
    await first.user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.qcow2');
    await first.user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await first.user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await first.user.type(screen.getByLabelText('HTTP header value'), 'Bearer s3cret');
    expect(JSON.stringify(sessionStorage)).not.toContain('s3cret');
    first.unmount();

    await openForm();
    expect(screen.getByLabelText('Image URL')).toHaveValue('https://images.example.com/a.qcow2');
    expect(screen.getByLabelText('HTTP header name')).toHaveValue('Authorization');
    expect(screen.getByLabelText('HTTP header value')).toHaveValue('');
    expect(screen.getByText(/except HTTP header values/)).toBeInTheDocument();
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
