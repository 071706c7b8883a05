import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { CHECKSUM, doneEntry, failedEntry, libraryDetail } from '../../test/library.ts';
import { renderApp } from '../../test/render.tsx';
import { formatDateTime } from '../../ui/format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const CONFIGURE = `/servers/${SN}/install/configure`;
const started = {
  status: 202,
  body: {
    route: 'install-start',
    task: {
      taskId: 9,
      function: 'reinstallServer',
      status: 'init',
      comment: null,
      startDate: '2026-11-26T11:00:00.000Z',
      doneDate: null,
      lastUpdate: null,
    },
  },
};
const installOf = (calls: RecordedCall[]) =>
  calls.find((c) => c.method === 'POST' && c.path === `/api/servers/${SN}/install`);

function banner(): HTMLElement {
  return screen.getByText(/these fields came back/).closest('[class*="message"]') as HTMLElement;
}

describe('Reinstall with the same image, from the install history', () => {
  it('fills the image fields and the hostname, header names with empty values, and says so', async () => {
    const { calls } = mockApi({
      [`GET /api/installs/${doneEntry.id}`]: () => ({ body: { entry: doneEntry } }),
    });
    renderApp(`${CONFIGURE}?reuse=install:${doneEntry.id}`);
    expect(await screen.findByLabelText('Image URL')).toHaveValue(doneEntry.image.imageURL);
    expect(calls.some((c) => c.path === `/api/installs/${doneEntry.id}`)).toBe(true);
    expect(screen.getByLabelText('Image type')).toHaveValue('qcow2');
    expect(screen.getByLabelText('Image checksum')).toHaveValue(CHECKSUM);
    expect(screen.getByLabelText('Checksum type')).toHaveValue('sha256');
    expect(screen.getByLabelText('EFI bootloader path')).toHaveValue('\\efi\\debian\\grubx64.efi');
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('web1.example.com');
    // User data is kept only as its digest: never filled.
    expect(screen.getByLabelText('Config Drive user data')).toHaveValue('');
    const names = screen.getAllByLabelText('HTTP header name');
    expect(names.map((n) => (n as HTMLInputElement).value)).toEqual(['Authorization', 'X-Tenant']);
    for (const value of screen.getAllByLabelText('HTTP header value')) {
      expect(value).toHaveValue('');
      expect(value).toHaveAttribute('type', 'password');
    }
    expect(banner()).toHaveTextContent(
      `Reinstall with the same image: these fields came back from the install of ${formatDateTime(doneEntry.submittedAt)} on ${SN}: Image URL, Image type, Image checksum, Checksum type, Custom hostname, HTTP header names. Check them before you confirm.`,
    );
    expect(banner()).toHaveTextContent(/except HTTP header values: they are secrets/);
    expect(banner()).not.toHaveTextContent(/query values/);
    expect(screen.queryByText(/From the image library/)).not.toBeInTheDocument();
  });

  it('asks for the full address when the URL lost its query values', async () => {
    mockApi({
      [`GET /api/installs/${failedEntry.id}`]: () => ({ body: { entry: failedEntry } }),
    });
    renderApp(`${CONFIGURE}?reuse=install:${failedEntry.id}`);
    const url = await screen.findByLabelText('Image URL');
    expect(url).toHaveValue(failedEntry.image.imageURL);
    expect(banner()).toHaveTextContent(
      'The image URL came back without its query values (a signed link is never kept): paste the full address into Image URL.',
    );
    expect(banner()).not.toHaveTextContent(/except HTTP header values/);
    expect(url).toHaveAccessibleDescription(/Paste the full address/);
  });

  it('sends the header values typed again, never anything kept', async () => {
    const { calls } = mockApi({
      [`GET /api/installs/${doneEntry.id}`]: () => ({ body: { entry: doneEntry } }),
      [`POST /api/servers/${SN}/install`]: () => started,
    });
    const { user, router } = renderApp(`${CONFIGURE}?reuse=install:${doneEntry.id}`);
    const values = await screen.findAllByLabelText('HTTP header value');
    await user.type(values[0]!, 'Bearer n3w');
    await user.type(values[1]!, 'tenant-1');
    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/progress`),
    );
    expect(installOf(calls)?.body).toMatchObject({
      imageURL: doneEntry.image.imageURL,
      customHostname: 'web1.example.com',
      httpHeaders: [
        { name: 'Authorization', value: 'Bearer n3w' },
        { name: 'X-Tenant', value: 'tenant-1' },
      ],
    });
    expect(installOf(calls)?.body).not.toHaveProperty('libraryImage');
  });

  it('keeps the library’s stored headers for an install that came from the library', async () => {
    const fromLibrary = {
      ...doneEntry,
      libraryImage: { id: 'img-debian', name: 'Debian 12 web', version: 2 },
      image: { ...doneEntry.image, imageURL: libraryDetail.versions[0]!.imageURL },
    };
    const { calls } = mockApi({
      [`GET /api/installs/${doneEntry.id}`]: () => ({ body: { entry: fromLibrary } }),
      'GET /api/images/img-debian': () => ({ body: libraryDetail }),
      [`POST /api/servers/${SN}/install`]: () => started,
    });
    const { user } = renderApp(`${CONFIGURE}?reuse=install:${doneEntry.id}`);
    await screen.findByLabelText('Image URL');
    expect(screen.getByText(/From the image library:/)).toHaveTextContent(
      'From the image library: Debian 12 web v2',
    );
    const stored = screen.getByRole('list', { name: 'HTTP headers stored in the library' });
    expect(
      within(stored)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Authorizationvalue stored in the library', 'X-Tenantvalue stored in the library']);
    expect(screen.queryByLabelText('HTTP header name')).not.toBeInTheDocument();
    expect(banner()).not.toHaveTextContent(/HTTP header names/);

    await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(installOf(calls)).toBeDefined());
    expect(installOf(calls)?.body).toMatchObject({
      libraryImage: { id: 'img-debian', version: 2 },
      httpHeaders: [],
    });
  });

  it('asks for the header values when the library image is gone', async () => {
    mockApi({
      [`GET /api/installs/${doneEntry.id}`]: () => ({
        body: {
          entry: { ...doneEntry, libraryImage: { id: 'img-old', name: 'Old', version: 1 } },
        },
      }),
    });
    renderApp(`${CONFIGURE}?reuse=install:${doneEntry.id}`);
    expect(
      await screen.findByText(/came from a library image that could not be read/),
    ).toBeVisible();
    expect(screen.getAllByLabelText('HTTP header name')).toHaveLength(2);
    expect(screen.queryByText(/From the image library/)).not.toBeInTheDocument();
  });

  it('says so, and starts empty, when the install cannot be read', async () => {
    mockApi({
      [`GET /api/installs/nope`]: () => ({
        status: 404,
        body: { error: { code: 'NOT_FOUND', message: 'There is no install "nope".' } },
      }),
    });
    renderApp(`${CONFIGURE}?reuse=install:nope`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not read that install of the history: the form starts empty. There is no install "nope".',
    );
    expect(await screen.findByLabelText('Image URL')).toHaveValue('');
  });

  it('carries the reuse from the wizard’s template step to the form, and back', async () => {
    mockApi({
      [`GET /api/installs/${doneEntry.id}`]: () => ({ body: { entry: doneEntry } }),
    });
    const { user, router } = renderApp(
      `/servers/${SN}/install/template?reuse=install:${doneEntry.id}`,
    );
    const dialog = await screen.findByRole('dialog', {}, { timeout: 5000 });
    await user.click(await within(dialog).findByRole('button', { name: 'Custom' }));
    await user.click(within(dialog).getByLabelText('Bring Your Own Image - byoi'));
    await user.click(within(dialog).getByRole('button', { name: 'Next' }));
    expect(await screen.findByLabelText('Image URL')).toHaveValue(doneEntry.image.imageURL);
    await user.click(screen.getByRole('button', { name: 'Back' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/template`),
    );
    expect(router.state.location.search).toBe(`?reuse=install:${doneEntry.id}`);
  });
});
