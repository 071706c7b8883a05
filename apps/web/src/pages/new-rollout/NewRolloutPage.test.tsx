import type { ApiErrorBody } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FLEET, listServers, mockApi, viewerSession } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { libraryDetail, libraryImage } from '../../test/library.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const SELECTED = ['ns100000.ip-51-91-0.eu', 'ns100003.ip-51-91-0.eu', 'ns100051.ip-51-91-0.eu'];
const library = {
  'GET /api/images': () => ({ body: { images: [libraryImage] } }),
  'GET /api/images/img-debian': () => ({ body: libraryDetail }),
};
const created = { 'POST /api/rollouts': () => ({ status: 201, body: { id: 'ro-9' } }) };
const sent = (calls: RecordedCall[]) =>
  calls.filter((c) => c.method === 'POST' && c.path === '/api/rollouts');
const form = () => screen.getByRole('form', { name: 'New rollout' });

describe('planning a rollout', () => {
  it('takes the list’s selection, a library version and the plan, then opens the rollout', async () => {
    const { calls } = mockApi({ ...library, ...created });
    const { user, router } = renderApp('/rollouts/new', { servers: SELECTED });
    const names = await screen.findByLabelText('Server names');
    expect(names).toHaveValue(SELECTED.join('\n'));
    expect(screen.queryByLabelText('Custom hostname')).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'Debian 12.1 on web');
    await user.selectOptions(await screen.findByLabelText('Library image'), 'img-debian');
    expect(await screen.findByLabelText('Version')).toHaveValue('2');
    expect(screen.getByLabelText('v2 of Debian 12 web')).toHaveTextContent(
      'https://images.example.com/debian-12.1.qcow2',
    );
    await user.type(screen.getByLabelText('Batch size'), '2');
    await user.type(screen.getByLabelText('Installs at the same time'), '5');
    expect(screen.getByRole('list', { name: 'Notes on this plan' })).toHaveTextContent(
      'maxInFlight (5) is larger than batchSize (2): at most 2 installs run at once after the canaries',
    );
    await user.click(screen.getByLabelText('Skip them, listed with the reason'));
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/rollouts/ro-9'));
    expect(sent(calls)).toHaveLength(1);
    expect(sent(calls)[0]?.body).toEqual({
      name: 'Debian 12.1 on web',
      servers: SELECTED,
      image: { libraryImageId: 'img-debian', version: 2 },
      customizations: { configDriveMetadata: [] },
      plan: {
        canary: 1,
        batchSize: 2,
        maxInFlight: 5,
        maxFailures: 0,
        pauseAfterCanary: false,
        onBlocked: 'skip',
      },
    });
  });

  it('takes a search, counts its servers by datacenter, and sends the image fields typed', async () => {
    const { calls } = mockApi({ ...library, ...created, 'GET /api/servers': listServers() });
    const { user } = renderApp('/rollouts/new?search=web');
    expect(await screen.findByLabelText('Search servers')).toHaveValue('web');
    expect(await screen.findByText(/^333 servers matching “web”\./)).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/servers?page=1&pageSize=1000&search=web')).toBe(true);
    await user.click(screen.getByRole('checkbox', { name: 'gra3' }));
    const inGra3 = FLEET.filter((s) => s.displayName.includes('web') && s.datacenter === 'gra3');
    expect(
      screen.getByText(new RegExp(`^${inGra3.length} servers matching “web” in gra3\\.`)),
    ).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'Web fleet');
    await user.click(screen.getByLabelText('Type the image fields'));
    await user.type(screen.getByLabelText('Image URL'), 'https://images.example.com/a.raw');
    await user.selectOptions(screen.getByLabelText('Image type'), 'raw');
    await user.type(screen.getByLabelText('EFI bootloader path'), '\\efi\\debian\\grubx64.efi');
    await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
    await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
    await user.type(screen.getByLabelText('HTTP header value'), 'Bearer t0ken');
    await user.type(screen.getByLabelText('SSH public key'), 'x');
    await user.clear(screen.getByLabelText('SSH public key'));
    await user.clear(screen.getByLabelText('Canary servers'));
    await user.type(screen.getByLabelText('Canary servers'), '0');
    await user.type(screen.getByLabelText('Batch size'), '10');
    await user.type(screen.getByLabelText('Installs at the same time'), '10');
    await user.click(screen.getByLabelText('Pause after the canaries, until I resume'));
    expect(screen.getByRole('list', { name: 'Notes on this plan' })).toHaveTextContent(
      'pauseAfterCanary has no effect with canary 0',
    );
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));
    await waitFor(() => expect(sent(calls)).toHaveLength(1));
    expect(sent(calls)[0]?.body).toEqual({
      name: 'Web fleet',
      servers: { search: 'web', datacenter: ['gra3'] },
      image: {
        imageURL: 'https://images.example.com/a.raw',
        imageType: 'raw',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
        httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
      },
      customizations: { configDriveMetadata: [] },
      plan: {
        canary: 0,
        batchSize: 10,
        maxInFlight: 10,
        maxFailures: 0,
        pauseAfterCanary: true,
        onBlocked: 'refuse',
      },
    });
  });

  it('says what is wrong with the plan in the shared schema’s words, and sends nothing', async () => {
    const { calls } = mockApi(library);
    const { user } = renderApp('/rollouts/new', { servers: SELECTED });
    await screen.findByLabelText('Server names');
    await user.clear(screen.getByLabelText('Canary servers'));
    await user.type(screen.getByLabelText('Canary servers'), '200');
    await user.type(screen.getByLabelText('Failures allowed'), '.5');
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Batch size')).toHaveAccessibleDescription(
        /plan\.batchSize must be a whole number 1 or more: how many servers make one batch/,
      ),
    );
    expect(screen.getByLabelText('Installs at the same time')).toHaveAccessibleDescription(
      /plan\.maxInFlight must be a whole number from 1 to 100/,
    );
    expect(screen.getByLabelText('Canary servers')).toHaveAccessibleDescription(
      /plan\.canary must be a whole number from 0 to 100/,
    );
    expect(screen.getByLabelText('Failures allowed')).toHaveAccessibleDescription(
      /plan\.maxFailures must be a whole number 0 or more/,
    );
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(/name must not be empty/);
    expect(screen.getByLabelText('Library image')).toHaveAccessibleDescription(
      /Choose an image of the library/,
    );
    expect(screen.getByLabelText('Batch size')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('list', { name: 'Notes on this plan' })).not.toBeInTheDocument();
    expect(sent(calls)).toHaveLength(0);
  });

  it('checks the server names and says when there are none', async () => {
    mockApi(library);
    const { user } = renderApp('/rollouts/new');
    const names = await screen.findByLabelText('Server names');
    expect(names).toHaveValue('');
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));
    await waitFor(() =>
      expect(names).toHaveAccessibleDescription(/servers must name at least one server/),
    );
    await user.type(names, 'ns1.ip-1-2-3.eu\nns1.ip-1-2-3.eu');
    await waitFor(() =>
      expect(names).toHaveAccessibleDescription(/servers names ns1\.ip-1-2-3\.eu twice/),
    );
  });

  it('puts the BFF’s field messages on the fields and its sentence under the form', async () => {
    const body: ApiErrorBody = {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The rollout was refused: fix the fields marked.',
        details: {
          fieldErrors: {
            'image.version': ['Version 2 of Debian 12 web is archived: choose another version.'],
            'plan.batchSize': ['plan.batchSize is larger than the 3 servers: use 3 or fewer.'],
          },
        },
      },
    };
    mockApi({ ...library, 'POST /api/rollouts': () => ({ status: 400, body }) });
    const { user } = renderApp('/rollouts/new', { servers: SELECTED });
    await user.type(await screen.findByLabelText('Name'), 'Web');
    await user.selectOptions(await screen.findByLabelText('Library image'), 'img-debian');
    await screen.findByLabelText('Version');
    await user.type(screen.getByLabelText('Batch size'), '5');
    await user.type(screen.getByLabelText('Installs at the same time'), '5');
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));
    expect(
      await within(form()).findByText('The rollout was refused: fix the fields marked.'),
    ).toBeInTheDocument();
    expect(screen.getByText('The rollout was not planned.')).toBeInTheDocument();
    expect(screen.getByLabelText('Version')).toHaveAccessibleDescription(
      /Version 2 of Debian 12 web is archived/,
    );
    expect(screen.getByLabelText('Batch size')).toHaveAccessibleDescription(
      /larger than the 3 servers/,
    );
  });

  it('says when a search matches no server', async () => {
    const body: ApiErrorBody = {
      error: { code: 'NO_SERVERS_MATCH', message: 'No server you may see matches “nope”.' },
    };
    mockApi({
      ...library,
      'GET /api/servers': listServers(),
      'POST /api/rollouts': () => ({ status: 400, body }),
    });
    const { user } = renderApp('/rollouts/new?search=nope');
    expect(await screen.findByText(/^0 servers matching “nope”\./)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Name'), 'Web');
    await user.selectOptions(await screen.findByLabelText('Library image'), 'img-debian');
    await screen.findByLabelText('Version');
    await user.type(screen.getByLabelText('Batch size'), '5');
    await user.type(screen.getByLabelText('Installs at the same time'), '5');
    await user.click(screen.getByRole('button', { name: 'Plan the rollout' }));
    expect(await screen.findByText('No server you may see matches “nope”.')).toBeInTheDocument();
  });

  it('tells a viewer planning needs the operator role', async () => {
    mockApi({ 'GET /api/session': () => ({ body: viewerSession }) });
    renderApp('/rollouts/new');
    expect(await screen.findByText(/planning a rollout needs the operator role/)).toBeVisible();
    expect(screen.queryByLabelText('Server names')).not.toBeInTheDocument();
  });
});
