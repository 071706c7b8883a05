import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listServers, mockApi, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const table = () => screen.getByRole('table', { name: 'Dedicated servers' });
const bar = () => screen.getByRole('region', { name: 'Selected servers' });
const pageBox = () => screen.getByRole('checkbox', { name: 'Select the servers on this page' });

// Every click re-renders a page of 50 rows: on a loaded machine that takes a while.
describe('selecting servers for a rollout', { timeout: 40_000 }, () => {
  it('ticks rows across pages and carries the names to a new rollout', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers');
    await within(await screen.findByRole('table', { name: 'Dedicated servers' })).findByText(
      'ns100000.ip-51-91-0.eu',
    );
    expect(screen.queryByRole('region', { name: 'Selected servers' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Select ns100000.ip-51-91-0.eu' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select ns100003.ip-51-91-0.eu' }));
    expect(within(bar()).getByRole('status')).toHaveTextContent('2 servers selected');
    expect(pageBox()).not.toBeChecked();
    expect((pageBox() as HTMLInputElement).indeterminate).toBe(true);

    await user.click(screen.getByRole('button', { name: 'page 2' }));
    await within(table()).findByText('ns100050.ip-51-91-0.eu');
    await user.click(screen.getByRole('checkbox', { name: 'Select ns100050.ip-51-91-0.eu' }));
    expect(within(bar()).getByRole('status')).toHaveTextContent('3 servers selected');

    // Unticking one keeps the others.
    await user.click(screen.getByRole('checkbox', { name: 'Select ns100050.ip-51-91-0.eu' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select ns100051.ip-51-91-0.eu' }));
    await user.click(within(bar()).getByRole('button', { name: 'Reinstall selected' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/rollouts/new'));
    expect(router.state.location.state).toEqual({
      servers: ['ns100000.ip-51-91-0.eu', 'ns100003.ip-51-91-0.eu', 'ns100051.ip-51-91-0.eu'],
    });
  });

  it('selects the page with the header checkbox, and clears it again', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user } = renderApp('/servers');
    await screen.findByText('ns100000.ip-51-91-0.eu');
    await user.click(pageBox());
    expect(within(bar()).getByRole('status')).toHaveTextContent('50 servers selected');
    expect(screen.getByRole('checkbox', { name: 'Select ns100049.ip-51-91-0.eu' })).toBeChecked();
    expect(pageBox()).toBeChecked();
    await user.click(pageBox());
    expect(screen.queryByRole('region', { name: 'Selected servers' })).not.toBeInTheDocument();

    await user.click(pageBox());
    await user.click(within(bar()).getByRole('button', { name: 'Clear selection' }));
    expect(screen.queryByRole('region', { name: 'Selected servers' })).not.toBeInTheDocument();
    expect(
      screen.getByRole('checkbox', { name: 'Select ns100000.ip-51-91-0.eu' }),
    ).not.toBeChecked();
  });

  it('selects a whole search, beyond the page on screen, and carries the search itself', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers');
    await screen.findByText('1,000 servers');
    // No search: no "select all matching".
    expect(screen.queryByRole('button', { name: /^Select all/ })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Search by name or display name'), 'web');
    await screen.findByText('333 servers matching “web”');
    await user.click(screen.getByRole('button', { name: 'Select all 333 matching' }));
    expect(within(bar()).getByRole('status')).toHaveTextContent(
      'All 333 servers matching “web” selected',
    );
    expect(pageBox()).toBeChecked();
    expect(
      screen.queryByRole('button', { name: 'Select all 333 matching' }),
    ).not.toBeInTheDocument();

    await user.click(within(bar()).getByRole('button', { name: 'Reinstall selected' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/rollouts/new'));
    expect(router.state.location.search).toBe('?search=web');
  });

  it('drops a whole-search selection when the search changes, and narrows it to names on an untick', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user } = renderApp('/servers?search=web');
    await screen.findByText('333 servers matching “web”');
    await user.click(screen.getByRole('button', { name: 'Select all 333 matching' }));
    const first = within(table()).getAllByRole('checkbox', { name: /^Select ns/ })[0]!;
    await user.click(first);
    // What stays is the rows on screen but the one left out.
    expect(within(bar()).getByRole('status')).toHaveTextContent('49 servers selected');

    await user.click(screen.getByRole('button', { name: 'Select all 333 matching' }));
    await user.type(screen.getByLabelText('Search by name or display name'), '-99');
    await screen.findByText('3 servers matching “web-99”');
    expect(screen.queryByRole('region', { name: 'Selected servers' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Select all 3 matching' })).toBeInTheDocument();
  });

  it('refuses a selection larger than a rollout', async () => {
    mockApi({
      'GET /api/servers': listServers(
        [...Array(1001).keys()].map((i) => ({
          name: `ns${200000 + i}.ip-51-91-0.eu`,
          displayName: `web-${i}`,
          datacenter: 'gra3',
          state: 'ok',
          os: 'debian12_64',
          ip: null,
          commercialRange: null,
          installing: false,
        })),
      ),
    });
    const { user } = renderApp('/servers?search=web');
    await screen.findByText('1,001 servers matching “web”');
    await user.click(screen.getByRole('button', { name: 'Select all 1,001 matching' }));
    const reinstall = within(bar()).getByRole('button', { name: 'Reinstall selected' });
    expect(reinstall).toBeDisabled();
    expect(reinstall).toHaveAccessibleDescription(/A rollout covers at most 1,000 servers/);
  });

  it('gives a viewer no checkboxes and no selection', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      'GET /api/servers': listServers(),
    });
    renderApp('/servers?search=web');
    await screen.findByText('333 servers matching “web”');
    expect(within(table()).queryAllByRole('checkbox')).toHaveLength(0);
    expect(screen.queryByRole('button', { name: /^Select all/ })).not.toBeInTheDocument();
  });
});
