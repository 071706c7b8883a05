import type { InstallProgressDto, ServerDetailResponse } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, serverDetail, SN, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { dataLossSentence } from '../../ui/words.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Each `<dl>` child's tag, and its children's tags: HTML allows only `<div>` groups of dt/dd. */
function definitionListShapes(): string[][] {
  return [...document.querySelectorAll('dl')].flatMap((dl) =>
    [...dl.children].map((group) => [
      group.tagName,
      ...[...group.children].map((child) => child.tagName),
    ]),
  );
}

const running = {
  ...serverDetail,
  server: { ...serverDetail.server, installing: true },
  install: { ...serverDetail.install, state: 'running' as const, percent: 40 },
};

describe('server page', () => {
  it('opens the install dialog from the … menu of System (OS), one URL per step', async () => {
    mockApi();
    const { user, router } = renderApp(`/servers/${SN}`);
    expect(await screen.findByRole('tab', { name: 'General information' })).toBeInTheDocument();
    expect(await screen.findByText('System (OS)')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '…' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Install' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/source`),
    );
    const dialog = await screen.findByRole('dialog', {}, { timeout: 5000 });
    expect(within(dialog).getByLabelText('Install from an OVHcloud template')).toBeChecked();
    expect(within(dialog).getByText(/Not used for Bring Your Own Image/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Next' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/template`),
    );
    const next = within(await screen.findByRole('dialog', {}, { timeout: 5000 })).getByRole(
      'button',
      { name: 'Next' },
    );
    expect(next).toBeDisabled();
    await user.click(await screen.findByRole('button', { name: 'Custom' }));
    await user.click(screen.getByLabelText('Bring Your Own Image - byoi'));
    expect(next).toBeEnabled();
    await user.click(next);
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/configure`),
    );
  });

  it('closes the dialog on Escape and keeps focus inside it', async () => {
    mockApi();
    const { user, router } = renderApp(`/servers/${SN}/install/source`);
    const dialog = await screen.findByRole('dialog', {}, { timeout: 5000 });
    for (let i = 0; i < 6; i++) {
      await user.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
    await user.keyboard('{Escape}');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/servers/${SN}`));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('disables Install with the reason while an installation runs', async () => {
    mockApi({ [`GET /api/servers/${SN}`]: () => ({ body: running }) });
    const { user } = renderApp(`/servers/${SN}`);
    expect(
      await screen.findByText('Install is unavailable: An installation is already running.'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '…' }));
    const install = await screen.findByRole('menuitem', { name: 'Install' });
    expect(install).toHaveAttribute('aria-disabled', 'true');
    expect(install).toHaveAccessibleDescription(/An installation is already running/);
  });

  it('keeps every tile row a <div> of one <dt> and one <dd> (the … menu and reasons inside the <dd>)', async () => {
    const operatorWhileRunning: Parameters<typeof mockApi>[0] = {
      [`GET /api/servers/${SN}`]: () => ({ body: running }),
    };
    const viewer: Parameters<typeof mockApi>[0] = {
      'GET /api/session': () => ({ body: viewerSession }),
    };
    for (const api of [operatorWhileRunning, viewer]) {
      mockApi(api);
      const { unmount } = renderApp(`/servers/${SN}`);
      expect(await screen.findByText('System (OS)')).toBeInTheDocument();
      const shapes = definitionListShapes();
      expect(shapes.length).toBeGreaterThanOrEqual(8);
      expect(shapes.filter((shape) => shape.join(' ') !== 'DIV DT DD')).toEqual([]);
      const system = screen.getByText('System (OS)').closest('div');
      expect(system?.parentElement?.tagName).toBe('DL');
      unmount();
    }
  });

  it('shows a viewer no Install at all', async () => {
    mockApi({ 'GET /api/session': () => ({ body: viewerSession }) });
    renderApp(`/servers/${SN}`);
    expect(await screen.findByText('System (OS)')).toBeInTheDocument();
    expect(
      screen.getByText('Your role is viewer: installing needs the operator role.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '…' })).not.toBeInTheDocument();
    expect(screen.queryByText('Install')).not.toBeInTheDocument();
  });

  it('shows a viewer who opens the configuration page no Check image and no Confirm', async () => {
    mockApi({ 'GET /api/session': () => ({ body: viewerSession }) });
    renderApp(`/servers/${SN}/install/configure`);
    expect(await screen.findByText(/Your role is viewer/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Check image' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Confirm' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Image URL')).not.toBeInTheDocument();
  });
});

const TASK = {
  taskId: 7,
  function: 'reinstallServer',
  status: 'doing' as const,
  comment: null,
  startDate: '2026-11-26T01:00:00.000Z',
  doneDate: null,
  lastUpdate: null,
};
const DONE_AT = '2026-11-26T01:09:30.000Z';
const doneInstall: InstallProgressDto = {
  ...serverDetail.install,
  state: 'done',
  percent: 100,
  task: { ...TASK, status: 'done', doneDate: DONE_AT },
  submitted: {
    taskId: 7,
    route: 'reinstall',
    submittedAt: TASK.startDate,
    imageURL: 'https://images.example.com/debian-12.qcow2',
    imageType: 'qcow2',
    imageCheckSum: null,
    imageCheckSumType: null,
    customHostname: 'web-01.example.com',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    configDrive: { userData: false, metadataKeys: 0, sshKey: false },
  },
};
const finished: ServerDetailResponse = { ...serverDetail, install: doneInstall };

describe('server page and a running install', () => {
  it('polls while the install runs, enables Install after the end, then stops asking', async () => {
    let reads = 0;
    mockApi({
      [`GET /api/servers/${SN}`]: () => {
        reads += 1;
        return { body: reads <= 2 ? running : finished };
      },
    });
    const { user } = renderApp(`/servers/${SN}`);
    expect(await screen.findByText(/Install is unavailable/)).toBeInTheDocument();
    expect(screen.getByText('Installing')).toBeInTheDocument();
    // No reload: the page reads the server again (every 2 s) until the install has ended.
    await waitFor(
      () => expect(screen.queryByText(/Install is unavailable/)).not.toBeInTheDocument(),
      {
        timeout: 8000,
      },
    );
    expect(screen.getByText('Installation complete')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '…' }));
    expect(await screen.findByRole('menuitem', { name: 'Install' })).not.toHaveAttribute(
      'aria-disabled',
      'true',
    );
    const atEnd = reads;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(reads).toBe(atEnd);
  }, 20_000);
});

describe('the last installation', () => {
  it('shows what it installed and when, and Reinstall with the same image', async () => {
    mockApi({ [`GET /api/servers/${SN}`]: () => ({ body: finished }) });
    renderApp(`/servers/${SN}`);
    const tile = await screen.findByRole('region', { name: 'Last installation' });
    expect(tile).toHaveTextContent('https://images.example.com/debian-12.qcow2');
    expect(tile).toHaveTextContent('web-01.example.com');
    expect(tile).toHaveTextContent(`Finished${formatDateTime(DONE_AT)}`);
    expect(tile).not.toHaveTextContent(DONE_AT);
    const reinstall = within(tile).getByRole('link', { name: 'Reinstall with the same image' });
    expect(reinstall).toHaveAttribute('href', `/servers/${SN}/install/configure?reuse=last`);
    expect(reinstall).toHaveAccessibleDescription(expect.stringContaining(dataLossSentence(SN)));
  });

  it('offers no reinstall to a viewer, nor while an install runs', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      [`GET /api/servers/${SN}`]: () => ({ body: finished }),
    });
    const { unmount } = renderApp(`/servers/${SN}`);
    expect(await screen.findByRole('region', { name: 'Last installation' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Reinstall with the same image' })).toBeNull();
    unmount();
    vi.unstubAllGlobals();
    mockApi({ [`GET /api/servers/${SN}`]: () => ({ body: running }) });
    renderApp(`/servers/${SN}`);
    expect(
      await screen.findByRole('link', { name: 'Follow the running installation' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Reinstall with the same image' })).toBeNull();
  });

  it('says in the install dialog what installing does to the data, in the one sentence', async () => {
    mockApi();
    renderApp(`/servers/${SN}/install/source`);
    const dialog = await screen.findByRole('dialog', {}, { timeout: 5000 });
    expect(dialog).toHaveTextContent(dataLossSentence(SN));
  });
});
