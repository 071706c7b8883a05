import type { ServerSummary } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const FLEET: ServerSummary[] = Array.from({ length: 1000 }, (_, i) => ({
  name: `ns${String(100000 + i)}.ip-51-91-0.eu`,
  displayName: `ns${String(100000 + i)}.ip-51-91-0.eu`,
  datacenter: i % 2 ? 'gra3' : 'rbx8',
  state: 'ok',
  os: 'debian12_64',
  ip: null,
  commercialRange: null,
  installing: i === 1,
}));

/** The BFF's contract: filter the whole fleet by name, then cut one page. */
function listServers(call: RecordedCall) {
  const url = new URL(call.path, 'http://localhost');
  const page = Number(url.searchParams.get('page'));
  const pageSize = Number(url.searchParams.get('pageSize'));
  const search = url.searchParams.get('search') ?? '';
  const matching = FLEET.filter((s) => s.name.includes(search));
  return {
    body: {
      items: matching.slice((page - 1) * pageSize, page * pageSize),
      total: matching.length,
      page,
      pageSize,
    },
  };
}

describe('dedicated servers list', () => {
  it('shows one page of a 1,000-server fleet with an installing badge, and pages through it', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers });
    const { user, router } = renderApp('/servers');
    const table = await screen.findByRole('table', { name: 'Dedicated servers' });
    await within(table).findByText('ns100000.ip-51-91-0.eu');
    expect(within(table).getAllByRole('row')).toHaveLength(51);
    expect(within(table).getByText('Installing')).toBeInTheDocument();
    expect(screen.getByText('1000 servers')).toBeInTheDocument();
    expect(screen.getByText('Showing 1–50 of 1000')).toBeInTheDocument();

    expect(screen.getByRole('button', { name: 'last page, page 20' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'page 2' }));
    await within(table).findByText('ns100050.ip-51-91-0.eu');
    expect(router.state.location.search).toBe('?page=2');
    expect(calls.at(-1)?.path).toBe('/api/servers?page=2&pageSize=50');
  });

  it('searches the whole fleet on the server, not just the page shown', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers });
    const { user, router } = renderApp('/servers?page=3');
    await screen.findByText('ns100100.ip-51-91-0.eu');
    await user.type(screen.getByLabelText('Search by name'), 'ns100999');
    await screen.findByText('ns100999.ip-51-91-0.eu');
    await waitFor(() =>
      expect(screen.getByText('1 server matching “ns100999”')).toBeInTheDocument(),
    );
    expect(router.state.location.search).toBe('?search=ns100999');
    expect(calls.at(-1)?.path).toBe('/api/servers?page=1&pageSize=50&search=ns100999');
  });

  it('says when nothing matches', async () => {
    mockApi({ 'GET /api/servers': listServers });
    renderApp('/servers?search=nope');
    expect(
      await screen.findByText(
        'No server name contains “nope”. Check the spelling or clear the search.',
      ),
    ).toBeInTheDocument();
  });
});
