import type { PreflightReport } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { CHECKSUM, libraryDetail, libraryImage, version2 } from '../../test/library.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const CONFIGURE = `/servers/${SN}/install/configure`;
const INSTALL = `POST /api/servers/${SN}/install`;
const PREFLIGHT = `POST /api/servers/${SN}/preflight`;
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
const passing: PreflightReport = {
  serverName: SN,
  verdict: 'pass',
  checkedAt: '2026-11-26T11:00:00.000Z',
  checks: [
    { id: 'reachability', status: 'pass', title: 'Reachable', sentence: 'The image answered 200.' },
  ],
  facts: {
    finalURL: version2.imageURL,
    httpStatus: 200,
    contentLength: 1024 ** 3,
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
const library = {
  'GET /api/images/img-debian': () => ({ body: libraryDetail }),
  [INSTALL]: () => started,
  [PREFLIGHT]: () => ({ body: passing }),
};
const sent = (calls: RecordedCall[], path: string) =>
  calls.find((c) => c.method === 'POST' && c.path === path)?.body;

async function confirm(user: ReturnType<typeof renderApp>['user']) {
  await user.type(screen.getByLabelText('Type the server name to confirm'), SN);
  await user.click(screen.getByRole('button', { name: 'Confirm' }));
}

describe('the wizard from the image library', () => {
  it('fills the version’s fields, locks its stored headers and says where they came from', async () => {
    mockApi(library);
    renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    expect(await screen.findByLabelText('Image URL')).toHaveValue(version2.imageURL);
    expect(screen.getByLabelText('Image type')).toHaveValue('qcow2');
    expect(screen.getByLabelText('Image checksum')).toHaveValue(CHECKSUM);
    expect(screen.getByLabelText('Checksum type')).toHaveValue('sha256');
    expect(screen.getByLabelText('Checksum file URL')).toHaveValue(version2.checksumFileURL);
    expect(screen.getByLabelText('EFI bootloader path')).toHaveValue('\\efi\\debian\\grubx64.efi');
    const banner = screen.getByText(/From the image library:/).closest('[class*="message"]')!;
    expect(banner).toHaveTextContent(
      'From the image library: Debian 12 web v2 Filled in: Image URL, Image type, Image checksum, Checksum type, Checksum file URL, EFI bootloader path.',
    );
    expect(banner).toHaveTextContent(
      'Its HTTP headers Authorization, X-Tenant keep their values in the library',
    );
    expect(
      within(banner as HTMLElement).getByRole('link', { name: 'Debian 12 web v2' }),
    ).toHaveAttribute('href', '/images/img-debian');
    const stored = screen.getByRole('list', { name: 'HTTP headers stored in the library' });
    expect(within(stored).getAllByText('value stored in the library')).toHaveLength(2);
    // Locked: no input holds them, so nothing can show or send a value from the browser.
    expect(screen.queryByLabelText('HTTP header name')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('HTTP header value')).not.toBeInTheDocument();
  });

  it('sends the library reference with the check and the install', async () => {
    const { calls } = mockApi(library);
    const { user, router } = renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    await screen.findByLabelText('Image URL');
    await user.click(screen.getByRole('button', { name: 'Check image' }));
    await waitFor(() => expect(sent(calls, `/api/servers/${SN}/preflight`)).toBeDefined());
    expect(sent(calls, `/api/servers/${SN}/preflight`)).toEqual({
      imageURL: version2.imageURL,
      imageType: 'qcow2',
      imageCheckSum: CHECKSUM,
      imageCheckSumType: 'sha256',
      checksumFileURL: version2.checksumFileURL,
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      libraryImage: { id: 'img-debian', version: 2 },
    });
    await confirm(user);
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/progress`),
    );
    expect(sent(calls, `/api/servers/${SN}/install`)).toMatchObject({
      imageURL: version2.imageURL,
      imageType: 'qcow2',
      imageCheckSum: CHECKSUM,
      httpHeaders: [],
      libraryImage: { id: 'img-debian', version: 2 },
    });
  });

  it('detaches: the reference and the stored headers go, the fields stay', async () => {
    const { calls } = mockApi(library);
    const { user } = renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    await user.click(await screen.findByRole('button', { name: 'Detach from the library' }));
    expect(screen.queryByText(/From the image library:/)).not.toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'HTTP headers stored in the library' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText(/Detached from the image library/)).toHaveTextContent(
      'the stored values of Authorization, X-Tenant are no longer sent',
    );
    expect(screen.getByLabelText('Image URL')).toHaveValue(version2.imageURL);
    await confirm(user);
    await waitFor(() => expect(sent(calls, `/api/servers/${SN}/install`)).toBeDefined());
    expect(sent(calls, `/api/servers/${SN}/install`)).not.toHaveProperty('libraryImage');
  });

  it('takes the latest version without ?version=, and says so when the version is unknown', async () => {
    mockApi(library);
    const { unmount } = renderApp(`${CONFIGURE}?image=img-debian`);
    expect(await screen.findByText(/From the image library:/)).toHaveTextContent(
      'From the image library: Debian 12 web v2',
    );
    unmount();
    renderApp(`${CONFIGURE}?image=img-debian&version=9`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Debian 12 web has no version 9: its latest is v2.',
    );
    expect(await screen.findByLabelText('Image URL')).toHaveValue('');
  });

  it('refuses a header row of the form’s own under a stored name', async () => {
    const { calls } = mockApi(library);
    const { user } = renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    await screen.findByLabelText('Image URL');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'authorization');
    await user.type(screen.getByLabelText('HTTP header value'), 'Bearer other');
    await confirm(user);
    await waitFor(() =>
      expect(screen.getByLabelText('HTTP header name')).toHaveAccessibleDescription(
        /The library image stores the value of authorization/,
      ),
    );
    expect(sent(calls, `/api/servers/${SN}/install`)).toBeUndefined();
  });

  it('warns when the image URL leaves the host the stored headers are for', async () => {
    mockApi(library);
    const { user } = renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    const url = await screen.findByLabelText('Image URL');
    await user.clear(url);
    await user.type(url, 'https://mirror.example.net/debian-12.1.qcow2');
    expect(
      screen.getByText(/The image URL is no longer on https:\/\/images\.example\.com/),
    ).toBeVisible();
  });

  it('"From the library" in the Image section fills the form from a library image', async () => {
    const { calls } = mockApi({
      ...library,
      'GET /api/images': () => ({ body: { images: [libraryImage] } }),
    });
    const { user } = renderApp(CONFIGURE);
    await user.type(await screen.findByLabelText('Custom hostname'), 'web9.example.com');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'X-Tenant');
    await user.click(screen.getByRole('button', { name: 'From the library' }));
    const dialog = await screen.findByRole('dialog', { name: 'Choose an image from the library' });
    await user.click(await within(dialog).findByRole('button', { name: 'Use Debian 12 web v2' }));
    await waitFor(() => expect(screen.getByLabelText('Image URL')).toHaveValue(version2.imageURL));
    expect(screen.getByLabelText('Checksum file URL')).toHaveValue(version2.checksumFileURL);
    // What the image does not say stays; a row under a stored name gives way to the library's.
    expect(screen.getByLabelText('Custom hostname')).toHaveValue('web9.example.com');
    expect(screen.queryByLabelText('HTTP header name')).not.toBeInTheDocument();
    expect(screen.getByText(/From the image library:/)).toHaveTextContent('Debian 12 web v2');
    await confirm(user);
    await waitFor(() => expect(sent(calls, `/api/servers/${SN}/install`)).toBeDefined());
    expect(sent(calls, `/api/servers/${SN}/install`)).toMatchObject({
      customHostname: 'web9.example.com',
      libraryImage: { id: 'img-debian', version: 2 },
    });
  });

  it('keeps the library reference for "Edit and retry" after the install', async () => {
    const { calls } = mockApi(library);
    const { user, router, unmount } = renderApp(`${CONFIGURE}?image=img-debian&version=2`);
    await screen.findByLabelText('Image URL');
    await confirm(user);
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/progress`),
    );
    unmount();
    calls.length = 0;
    const retry = renderApp(CONFIGURE, { retry: true });
    expect(await screen.findByLabelText('Image URL')).toHaveValue(version2.imageURL);
    expect(screen.getByText(/From the image library:/)).toHaveTextContent('Debian 12 web v2');
    expect(screen.getByText(/Edit and retry: these fields came back/)).toBeVisible();
    await confirm(retry.user);
    await waitFor(() => expect(sent(calls, `/api/servers/${SN}/install`)).toBeDefined());
    expect(sent(calls, `/api/servers/${SN}/install`)).toMatchObject({
      libraryImage: { id: 'img-debian', version: 2 },
    });
  });
});
