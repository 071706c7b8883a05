import type { LibraryImageInstallsResponse } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FLEET, listServers, mockApi, SN, viewerSession } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { CHECKSUM, libraryDetail, libraryImage, version1 } from '../../test/library.ts';
import { renderApp } from '../../test/render.tsx';
import { formatDateTime } from '../../ui/format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const viewer = { 'GET /api/session': () => ({ body: viewerSession }) };
const installs: LibraryImageInstallsResponse = {
  servers: [
    {
      server: SN,
      version: 2,
      installId: 'install-2',
      submittedAt: '2026-11-26T09:00:00.000Z',
      outcome: 'done',
    },
  ],
};
const detailApi = {
  'GET /api/images/img-debian': () => ({ body: libraryDetail }),
  'GET /api/images/img-debian/installs': () => ({ body: installs }),
};
const write = (calls: RecordedCall[], method: string, path: string) =>
  calls.find((c) => c.method === method && c.path === path);

describe('the image library list', () => {
  it('lists the images with their latest version, last check, versions and update', async () => {
    mockApi({ 'GET /api/images': () => ({ body: { images: [libraryImage] } }) });
    renderApp('/images');
    const table = await screen.findByRole('table', { name: 'Images' });
    const row = (await within(table).findByRole('link', { name: 'Debian 12 web' })).closest('tr')!;
    expect(within(row).getByRole('link', { name: 'Debian 12 web' })).toHaveAttribute(
      'href',
      '/images/img-debian',
    );
    expect(row).toHaveTextContent('https://images.example.com/debian-12.1.qcow2');
    expect(row).toHaveTextContent('v2 · qcow2 · headers Authorization, X-Tenant');
    expect(within(row).getByText('Pass')).toBeInTheDocument();
    expect(row).toHaveTextContent(formatDateTime(libraryImage.updatedAt));
    expect(within(row).getAllByRole('cell')[3]).toHaveTextContent(/^2$/);
    expect(screen.getByRole('link', { name: 'Add an image' })).toHaveAttribute(
      'href',
      '/images/new',
    );
  });

  it('searches through the address and the BFF', async () => {
    const { calls } = mockApi({
      'GET /api/images': ({ path }) => ({
        body: { images: path.includes('search=deb') ? [libraryImage] : [] },
      }),
    });
    const { user, router } = renderApp('/images');
    expect(await screen.findByText(/The library is empty\. Add an image/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Search images'), 'deb');
    expect(await screen.findByRole('link', { name: 'Debian 12 web' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('?search=deb');
    expect(calls.map((c) => c.path)).toContain('/api/images?search=deb');
  });

  it('shows a viewer the images, and the header entry, without Add an image', async () => {
    mockApi({ ...viewer, 'GET /api/images': () => ({ body: { images: [libraryImage] } }) });
    renderApp('/images');
    expect(await screen.findByRole('link', { name: 'Debian 12 web' })).toBeInTheDocument();
    expect(
      within(screen.getByRole('banner')).getByRole('link', { name: 'Images' }),
    ).toHaveAttribute('href', '/images');
    expect(screen.queryByRole('link', { name: 'Add an image' })).not.toBeInTheDocument();
  });
});

describe('adding an image', () => {
  it('sends the name, the notes and the first version, header values from password inputs', async () => {
    const { calls } = mockApi({
      'POST /api/images': () => ({ status: 201, body: libraryDetail }),
      ...detailApi,
    });
    const { user, router } = renderApp('/images/new');
    await user.type(await screen.findByLabelText('Name'), 'Debian 12 web');
    await user.type(screen.getByLabelText('Notes'), 'For the web tier');
    await user.type(
      screen.getByLabelText('Image URL'),
      'https://images.example.com/debian-12.qcow2',
    );
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByLabelText('Image checksum'));
    await user.paste(CHECKSUM.toUpperCase());
    expect(screen.getByLabelText('Checksum type')).toHaveValue('sha256');
    await user.type(
      screen.getByLabelText('Checksum file URL'),
      'https://images.example.com/SHA256SUMS',
    );
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    const value = screen.getByLabelText('HTTP header value');
    expect(value).toHaveAttribute('type', 'password');
    await user.type(value, 'Bearer s3cret');
    await user.click(screen.getByRole('button', { name: 'Add the image' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/images/img-debian'));
    expect(write(calls, 'POST', '/api/images')?.body).toEqual({
      name: 'Debian 12 web',
      notes: 'For the web tier',
      version: {
        imageURL: 'https://images.example.com/debian-12.qcow2',
        imageType: 'qcow2',
        imageCheckSum: CHECKSUM,
        imageCheckSumType: 'sha256',
        checksumFileURL: 'https://images.example.com/SHA256SUMS',
        httpHeaders: [{ name: 'Authorization', value: 'Bearer s3cret' }],
      },
    });
  });

  it('checks the fields with the shared rules, a first version’s headers need a value', async () => {
    const { calls } = mockApi();
    const { user } = renderApp('/images/new');
    await user.type(await screen.findByLabelText('Image URL'), 'ftp://images.example.com/a.raw');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await user.click(screen.getByRole('button', { name: 'Add the image' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(
        /Enter a name for the image/,
      ),
    );
    expect(screen.getByLabelText('Image URL')).toHaveAccessibleDescription(
      /must start with http:\/\/ or https:\/\//,
    );
    await user.clear(screen.getByLabelText('Image URL'));
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.raw');
    await user.type(screen.getByLabelText('Name'), 'A');
    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    await user.click(screen.getByRole('button', { name: 'Add the image' }));
    await waitFor(() =>
      expect(screen.getByLabelText('HTTP header value')).toHaveAccessibleDescription(
        /Enter the HTTP header value, or remove this header/,
      ),
    );
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('tells a viewer adding needs the operator role', async () => {
    mockApi(viewer);
    renderApp('/images/new');
    expect(
      await screen.findByText(/adding images to the library needs the operator role/),
    ).toBeVisible();
    expect(screen.queryByLabelText('Image URL')).not.toBeInTheDocument();
  });
});

describe('an image', () => {
  it('shows the latest version, every version with its last check, and where it is installed', async () => {
    mockApi(detailApi);
    renderApp('/images/img-debian');
    expect(await screen.findByRole('heading', { level: 1, name: 'Debian 12 web' })).toBeVisible();
    const latest = await screen.findByRole('region', { name: 'Latest version: v2' });
    expect(latest).toHaveTextContent('https://images.example.com/debian-12.1.qcow2');
    expect(latest).toHaveTextContent('https://images.example.com/SHA256SUMS');
    expect(
      within(within(latest).getByRole('list', { name: 'HTTP header names' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Authorization value stored', 'X-Tenant value stored']);
    expect(latest).toHaveTextContent(
      `Pass ${formatDateTime('2026-11-24T10:00:00.000Z')} on ${SN} by alice`,
    );

    const versions = screen.getByRole('table', { name: 'Versions' });
    expect(within(versions).getAllByRole('row')).toHaveLength(3);
    expect(within(versions).getAllByRole('row')[2]).toHaveTextContent('Not checked');

    const where = await screen.findByRole('table', { name: 'Where it is installed' });
    const row = within(where).getByRole('link', { name: SN }).closest('tr')!;
    expect(within(where).getByRole('link', { name: SN })).toHaveAttribute(
      'href',
      `/servers/${SN}?tab=history`,
    );
    expect(row).toHaveTextContent('v2');
    expect(within(row).getByText('Done')).toBeInTheDocument();
  });

  it('says where it will appear when nothing was installed from it yet', async () => {
    mockApi({
      ...detailApi,
      'GET /api/images/img-debian/installs': () => ({ body: { servers: [] } }),
    });
    renderApp('/images/img-debian');
    expect(await screen.findByText(/Not installed yet\. Each server installed/)).toBeVisible();
  });

  it('gives a viewer no write controls', async () => {
    mockApi({ ...viewer, ...detailApi });
    renderApp('/images/img-debian');
    await screen.findByRole('region', { name: 'Latest version: v2' });
    for (const name of ['Install this image', 'New version', 'Edit name and notes', 'Archive']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    expect(screen.queryByRole('button', { name: /Install v\d/ })).not.toBeInTheDocument();
    expect(screen.getByText(/Your role is viewer/)).toBeVisible();
  });

  it('adds a version from the latest: an empty value keeps the stored one', async () => {
    const { calls } = mockApi({
      ...detailApi,
      'POST /api/images/img-debian/versions': () => ({ status: 201, body: libraryDetail }),
    });
    const { user } = renderApp('/images/img-debian');
    await user.click(await screen.findByRole('button', { name: 'New version' }));
    const form = screen.getByRole('form', { name: 'New version (v3)' });
    expect(within(form).getByLabelText('Image URL')).toHaveValue(
      'https://images.example.com/debian-12.1.qcow2',
    );
    expect(within(form).getByLabelText('Checksum file URL')).toHaveValue(
      'https://images.example.com/SHA256SUMS',
    );
    const names = within(form).getAllByLabelText('HTTP header name');
    expect(names.map((n) => (n as HTMLInputElement).value)).toEqual(['Authorization', 'X-Tenant']);
    const values = within(form).getAllByLabelText('HTTP header value');
    for (const value of values) {
      expect(value).toHaveValue('');
      expect(value).toHaveAccessibleDescription('Leave empty to keep the stored value.');
    }
    await user.clear(within(form).getByLabelText('Image URL'));
    await user.type(
      within(form).getByLabelText('Image URL'),
      'https://images.example.com/debian-12.2.qcow2',
    );
    await user.clear(within(form).getByLabelText('Image checksum'));
    await user.selectOptions(within(form).getByLabelText('Checksum type'), '');
    await user.type(values[1]!, 'tenant-2');
    await user.type(within(form).getByLabelText('Version notes'), 'Second point release');
    await user.click(within(form).getByRole('button', { name: 'Add the version' }));
    await waitFor(() =>
      expect(write(calls, 'POST', '/api/images/img-debian/versions')).toBeDefined(),
    );
    expect(write(calls, 'POST', '/api/images/img-debian/versions')?.body).toEqual({
      imageURL: 'https://images.example.com/debian-12.2.qcow2',
      imageType: 'qcow2',
      checksumFileURL: 'https://images.example.com/SHA256SUMS',
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      httpHeaders: [{ name: 'Authorization' }, { name: 'X-Tenant', value: 'tenant-2' }],
      notes: 'Second point release',
    });
    expect(await screen.findByText('Version 2 added: it is now the latest.')).toBeVisible();
  });

  it('refuses an empty value for a header the library stores nothing under', async () => {
    const { calls } = mockApi(detailApi);
    const { user } = renderApp('/images/img-debian');
    await user.click(await screen.findByRole('button', { name: 'New version' }));
    const form = screen.getByRole('form', { name: 'New version (v3)' });
    await user.click(within(form).getByRole('button', { name: 'Add HTTP header' }));
    const names = within(form).getAllByLabelText('HTTP header name');
    await user.type(names[2]!, 'X-Extra');
    const value = within(form).getAllByLabelText('HTTP header value')[2]!;
    expect(value).not.toHaveAccessibleDescription(/keep the stored value/);
    await user.click(within(form).getByRole('button', { name: 'Add the version' }));
    await waitFor(() =>
      expect(value).toHaveAccessibleDescription(/the library stores no value under this name/),
    );
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('edits the name and the notes', async () => {
    const { calls } = mockApi({
      ...detailApi,
      'PATCH /api/images/img-debian': () => ({ body: libraryDetail }),
    });
    const { user } = renderApp('/images/img-debian');
    await user.click(await screen.findByRole('button', { name: 'Edit name and notes' }));
    const form = screen.getByRole('form', { name: 'Edit name and notes' });
    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'Debian 12 web tier');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(write(calls, 'PATCH', '/api/images/img-debian')).toBeDefined());
    expect(write(calls, 'PATCH', '/api/images/img-debian')?.body).toEqual({
      name: 'Debian 12 web tier',
      notes: libraryImage.notes,
    });
  });

  it('archives after asking, then lists the images again', async () => {
    const { calls } = mockApi({
      ...detailApi,
      'DELETE /api/images/img-debian': () => ({ status: 204 }),
      'GET /api/images': () => ({ body: { images: [] } }),
    });
    const { user, router } = renderApp('/images/img-debian');
    await user.click(await screen.findByRole('button', { name: 'Archive' }));
    const dialog = await screen.findByRole('dialog', { name: 'Archive Debian 12 web?' });
    expect(within(dialog).getByRole('button', { name: 'Keep the image' })).toBeVisible();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/images'));
    expect(write(calls, 'DELETE', '/api/images/img-debian')).toBeDefined();
    expect(await screen.findByText(/Debian 12 web is archived/)).toBeVisible();
  });

  it('installs it: pick a server and a version, the wizard opens with the image', async () => {
    mockApi({ ...detailApi, 'GET /api/servers': listServers(FLEET) });
    const { user, router } = renderApp('/images/img-debian');
    await user.click(await screen.findByRole('button', { name: 'Install this image' }));
    const dialog = await screen.findByRole('dialog', { name: 'Install Debian 12 web' });
    const next = within(dialog).getByRole('button', { name: 'Next' });
    expect(next).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Search servers'), 'ns100042');
    await user.click(await within(dialog).findByRole('radio', { name: 'ns100042.ip-51-91-0.eu' }));
    await user.selectOptions(within(dialog).getByLabelText('Version'), String(version1.version));
    await user.click(next);
    await waitFor(() =>
      expect(router.state.location.pathname).toBe('/servers/ns100042.ip-51-91-0.eu/install/source'),
    );
    expect(router.state.location.search).toBe('?image=img-debian&version=1');
  });
});
