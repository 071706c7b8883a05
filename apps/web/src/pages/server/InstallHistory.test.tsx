import type { InstallHistoryResponse } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, serverDetail, SN, viewerSession } from '../../test/api.ts';
import {
  CHECKSUM,
  doneEntry,
  failedEntry,
  FAILURE,
  runningEntry,
  USER_DATA_SHA,
} from '../../test/library.ts';
import { renderApp } from '../../test/render.tsx';
import { formatDateTime } from '../../ui/format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const HISTORY = `GET /api/servers/${SN}/installs`;
const history = (body: InstallHistoryResponse) => () => ({ body });

async function openHistory(path = `/servers/${SN}?tab=history`) {
  const app = renderApp(path);
  const table = await screen.findByRole('table', { name: 'Install history' });
  await within(table).findAllByRole('button', { name: 'Reinstall with the same image' });
  return { ...app, table };
}

function rowOf(table: HTMLElement, text: string): HTMLElement {
  const row = within(table)
    .getAllByRole('row')
    .find((r) => r.textContent?.includes(text));
  if (!row) throw new Error(`no row with ${text}`);
  return row;
}

describe('the server page’s Install history tab', () => {
  it('is a tab beside General information, and the address says which one is open', async () => {
    mockApi({ [HISTORY]: history({ entries: [doneEntry], nextCursor: null }) });
    const { user, router } = renderApp(`/servers/${SN}`);
    const general = await screen.findByRole('tab', { name: 'General information' });
    expect(general).toHaveAttribute('aria-selected', 'true');
    await user.click(screen.getByRole('tab', { name: 'Install history' }));
    expect(await screen.findByRole('table', { name: 'Install history' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('?tab=history');
    expect(screen.getByRole('tab', { name: 'Install history' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await user.click(general);
    expect(router.state.location.search).toBe('');
  });

  it('lists who, when, the outcome with OVH’s message, the image facts and the task', async () => {
    const { calls } = mockApi({
      [HISTORY]: history({ entries: [doneEntry, failedEntry], nextCursor: null }),
    });
    const { table } = await openHistory();
    expect(calls.find((c) => c.path.startsWith(`/api/servers/${SN}/installs`))?.path).toBe(
      `/api/servers/${SN}/installs?limit=20`,
    );
    const done = rowOf(table, 'alice');
    expect(done).toHaveTextContent(formatDateTime(doneEntry.submittedAt));
    expect(done).not.toHaveTextContent(doneEntry.submittedAt);
    expect(done).toHaveTextContent('Duration 7:05');
    expect(within(done).getByText('Done')).toBeInTheDocument();
    expect(done).toHaveTextContent('https://images.example.com/debian-12.qcow2');
    expect(done).toHaveTextContent('qcow2');
    expect(done).toHaveTextContent('Authorization, X-Tenant');
    expect(done).toHaveTextContent('web1.example.com');
    expect(done).toHaveTextContent('4242');
    expect(done).toHaveTextContent('reinstall route');
    // Digests shortened on screen, whole in the tooltip.
    expect(within(done).getByTitle(USER_DATA_SHA)).toHaveTextContent(USER_DATA_SHA.slice(0, 12));
    expect(within(done).getByTitle(CHECKSUM)).toBeInTheDocument();

    const failed = rowOf(table, 'bob');
    expect(within(failed).getByText('Failed')).toBeInTheDocument();
    expect(failed).toHaveTextContent(FAILURE);
    expect(failed).toHaveTextContent('install/start route');
    expect(failed).toHaveTextContent('Query values and credentials are not kept.');
    expect(failed).toHaveTextContent('Duration 1:00');
  });

  it('never shows a header value, only the names', async () => {
    mockApi({ [HISTORY]: history({ entries: [doneEntry], nextCursor: null }) });
    const { table } = await openHistory();
    expect(table).toHaveTextContent('Authorization');
    expect(table.textContent).not.toMatch(/Bearer|Basic /);
    expect(within(table).queryByLabelText('HTTP header value')).not.toBeInTheDocument();
  });

  it('pages back with Older, through nextCursor, keeping the rows already shown', async () => {
    const { calls } = mockApi({
      [HISTORY]: ({ path }) =>
        path.includes('cursor=c2')
          ? { body: { entries: [failedEntry], nextCursor: null } }
          : { body: { entries: [doneEntry], nextCursor: 'c2' } },
    });
    const { user, table } = await openHistory();
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(calls.map((c) => c.path)).toContain(`/api/servers/${SN}/installs?limit=20&cursor=c2`);
    expect(rowOf(table, 'alice')).toBeInTheDocument();
    expect(rowOf(table, 'bob')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Older' })).not.toBeInTheDocument();
    expect(screen.getByText('2 installs shown')).toBeInTheDocument();
  });

  it('says what will appear when nothing was installed yet', async () => {
    mockApi({ [HISTORY]: history({ entries: [], nextCursor: null }) });
    renderApp(`/servers/${SN}?tab=history`);
    expect(await screen.findByText(/No install yet\./)).toHaveTextContent(
      `No install yet. Each install started from this console on ${SN} will appear here`,
    );
    expect(screen.queryByRole('table', { name: 'Install history' })).not.toBeInTheDocument();
  });

  it('opens the wizard with the entry to reuse, through its steps', async () => {
    mockApi({ [HISTORY]: history({ entries: [doneEntry], nextCursor: null }) });
    const { user, router, table } = await openHistory();
    const reinstall = within(rowOf(table, 'alice')).getByRole('button', {
      name: 'Reinstall with the same image',
    });
    expect(reinstall).toHaveAccessibleDescription(formatDateTime(doneEntry.submittedAt));
    await user.click(reinstall);
    await waitFor(() =>
      expect(`${router.state.location.pathname}${router.state.location.search}`).toBe(
        `/servers/${SN}/install/source?reuse=install%3Ainstall-2`,
      ),
    );
    const dialog = await screen.findByRole('dialog', {}, { timeout: 5000 });
    await user.click(within(dialog).getByRole('button', { name: 'Next' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/template`),
    );
    expect(router.state.location.search).toBe('?reuse=install%3Ainstall-2');
  });

  it('disables Reinstall, with the reason, while an install runs', async () => {
    mockApi({ [HISTORY]: history({ entries: [runningEntry, doneEntry], nextCursor: null }) });
    const { table } = await openHistory();
    expect(within(rowOf(table, '4243')).getByText('Running')).toBeInTheDocument();
    expect(rowOf(table, '4243')).toHaveTextContent('Duration Still running');
    for (const button of within(table).getAllByRole('button', {
      name: 'Reinstall with the same image',
    })) {
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription(/An installation is running on this server/);
    }
  });

  it('shows a viewer the history without Reinstall', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      [`GET /api/servers/${SN}`]: () => ({ body: serverDetail }),
      [HISTORY]: history({ entries: [doneEntry], nextCursor: null }),
    });
    renderApp(`/servers/${SN}?tab=history`);
    const table = await screen.findByRole('table', { name: 'Install history' });
    await within(table).findByText('alice');
    expect(
      within(table).queryByRole('button', { name: 'Reinstall with the same image' }),
    ).not.toBeInTheDocument();
  });

  it('links an install from the library to its image', async () => {
    mockApi({
      [HISTORY]: history({
        entries: [
          { ...doneEntry, libraryImage: { id: 'img-debian', name: 'Debian 12 web', version: 2 } },
        ],
        nextCursor: null,
      }),
    });
    const { table } = await openHistory();
    expect(within(table).getByRole('link', { name: 'Debian 12 web v2' })).toHaveAttribute(
      'href',
      '/images/img-debian',
    );
  });
});
