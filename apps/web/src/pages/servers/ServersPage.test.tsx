import type { ServerSortField } from '@byoi/shared';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { byCodePoint, FLEET, listServers, mockApi } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const table = () => screen.getByRole('table', { name: 'Dedicated servers' });
const rows = () => within(table()).getAllByRole('row').slice(1);
const firstName = () => within(rows()[0] ?? table()).getByRole('rowheader');
const searchField = () => screen.getByLabelText('Search by name or display name');
const header = (label: string) =>
  within(table()).getByRole('columnheader', { name: new RegExp(`^${label}`) });
const listCalls = (calls: RecordedCall[]) =>
  calls.filter((call) => call.path.startsWith('/api/servers?')).map((call) => call.path);

/** The text of `field`'s cell in the first row: the name is the row's header, then the cells. */
function firstRowValue(field: ServerSortField): string {
  const row = rows()[0];
  if (!row) throw new Error('The table has no rows.');
  if (field === 'name') return within(row).getByRole('rowheader').textContent;
  const cellIndex = { displayName: 0, datacenter: 1, state: 2, os: 3 }[field];
  return within(row).getAllByRole('cell')[cellIndex]?.textContent ?? '';
}

/** The smallest and largest value of a column over the whole fleet: what page 1 starts with. */
function extremes(field: ServerSortField): { asc: string; desc: string } {
  const values = FLEET.map((server) => server[field]).sort(byCodePoint);
  return { asc: values[0] ?? '', desc: values.at(-1) ?? '' };
}

describe('dedicated servers list', () => {
  it('shows one page of a 1,000-server fleet, counts it, and pages to the last page', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers');
    await within(await screen.findByRole('table', { name: 'Dedicated servers' })).findByText(
      'ns100000.ip-51-91-0.eu',
    );
    expect(rows()).toHaveLength(50);
    expect(within(table()).getByText('Installing')).toBeInTheDocument();
    expect(screen.getByText('1,000 servers')).toBeInTheDocument();
    expect(screen.getByText('Showing 1–50 of 1,000')).toBeInTheDocument();
    expect(listCalls(calls)).toEqual(['/api/servers?page=1&pageSize=50']);

    await user.click(screen.getByRole('button', { name: 'last page, page 20' }));
    await within(table()).findByText('ns100999.ip-51-91-0.eu');
    expect(firstName()).toHaveTextContent('ns100950.ip-51-91-0.eu');
    expect(screen.getByText('Showing 951–1,000 of 1,000')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?page=20');
    expect(listCalls(calls).at(-1)).toBe('/api/servers?page=20&pageSize=50');
  });

  it('keeps the previous rows on screen, the table busy, while the next page loads', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const list = listServers();
    mockApi({
      'GET /api/servers': async (call) => {
        if (call.path.includes('page=2&')) await held;
        return list(call);
      },
    });
    const { user, router } = renderApp('/servers');
    await screen.findByText('ns100000.ip-51-91-0.eu');
    await waitFor(() => expect(table()).toHaveAttribute('aria-busy', 'false'));

    await user.click(screen.getByRole('button', { name: 'page 2' }));
    expect(router.state.location.search).toBe('?page=2');
    await waitFor(() => expect(table()).toHaveAttribute('aria-busy', 'true'));
    expect(rows()).toHaveLength(50);
    expect(firstName()).toHaveTextContent('ns100000.ip-51-91-0.eu');
    expect(screen.getByText('1,000 servers')).toBeInTheDocument();

    release();
    await within(table()).findByText('ns100050.ip-51-91-0.eu');
    expect(within(table()).queryByText('ns100000.ip-51-91-0.eu')).not.toBeInTheDocument();
    await waitFor(() => expect(table()).toHaveAttribute('aria-busy', 'false'));
  });

  it('keeps the rows and the count they belong to while a new search loads', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const list = listServers();
    mockApi({
      'GET /api/servers': async (call) => {
        if (call.path.includes('search=')) await held;
        return list(call);
      },
    });
    const { user, router } = renderApp('/servers');
    await screen.findByText('1,000 servers');

    await user.type(searchField(), 'web');
    await waitFor(() => expect(router.state.location.search).toBe('?search=web'));
    await waitFor(() => expect(table()).toHaveAttribute('aria-busy', 'true'));
    expect(screen.getByText('1,000 servers')).toBeInTheDocument();
    expect(firstName()).toHaveTextContent('ns100000.ip-51-91-0.eu');

    release();
    await screen.findByText('333 servers matching “web”');
    expect(firstName()).toHaveTextContent('ns100002.ip-51-91-0.eu');
  });

  it.each([
    ['Display name', 'displayName'],
    ['Datacenter', 'datacenter'],
    ['State', 'state'],
    ['OS', 'os'],
  ] as const)(
    'sorts by %s ascending on a click and descending on the next',
    async (label, field) => {
      const { calls } = mockApi({ 'GET /api/servers': listServers() });
      const { user, router } = renderApp('/servers');
      await screen.findByText('ns100000.ip-51-91-0.eu');
      expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
      expect(header(label)).not.toHaveAttribute('aria-sort');

      await user.click(within(header(label)).getByRole('button', { name: label }));
      expect(router.state.location.search).toBe(`?sort=${field}`);
      await waitFor(() => expect(firstRowValue(field)).toBe(extremes(field).asc));
      expect(listCalls(calls).at(-1)).toBe(`/api/servers?page=1&pageSize=50&sort=${field}`);
      expect(header(label)).toHaveAttribute('aria-sort', 'ascending');
      expect(header('Name')).not.toHaveAttribute('aria-sort');
      // The direction icon's text alternative.
      expect(
        screen.getByRole('button', { name: `${label}, sorted ascending` }),
      ).toBeInTheDocument();

      await user.click(screen.getByRole('button', { name: `${label}, sorted ascending` }));
      expect(router.state.location.search).toBe(`?sort=${field}&order=desc`);
      await waitFor(() => expect(firstRowValue(field)).toBe(extremes(field).desc));
      expect(listCalls(calls).at(-1)).toBe(
        `/api/servers?page=1&pageSize=50&sort=${field}&order=desc`,
      );
      expect(header(label)).toHaveAttribute('aria-sort', 'descending');
      expect(
        screen.getByRole('button', { name: `${label}, sorted descending` }),
      ).toBeInTheDocument();
    },
  );

  it('sorts by name descending on a click, the default order being by name ascending', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers?sort=os');
    await waitFor(() => expect(firstRowValue('os')).toBe(extremes('os').asc));

    await user.click(screen.getByRole('button', { name: 'Name' }));
    expect(router.state.location.search).toBe('');
    await waitFor(() => expect(firstName()).toHaveTextContent('ns100000.ip-51-91-0.eu'));
    expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
    expect(listCalls(calls).at(-1)).toBe('/api/servers?page=1&pageSize=50');

    await user.click(screen.getByRole('button', { name: 'Name, sorted ascending' }));
    expect(router.state.location.search).toBe('?order=desc');
    await waitFor(() => expect(firstName()).toHaveTextContent('ns100999.ip-51-91-0.eu'));
    expect(header('Name')).toHaveAttribute('aria-sort', 'descending');
    expect(listCalls(calls).at(-1)).toBe('/api/servers?page=1&pageSize=50&order=desc');
  });

  it('searches names and display names on the server, keeping the sort, from page 1', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers?page=3&sort=datacenter');
    await waitFor(() => expect(screen.getByText('Showing 101–150 of 1,000')).toBeInTheDocument());

    await user.type(searchField(), 'web-99');
    await waitFor(() =>
      expect(screen.getByText('3 servers matching “web-99”')).toBeInTheDocument(),
    );
    expect(router.state.location.search).toBe('?sort=datacenter&search=web-99');
    expect(listCalls(calls).at(-1)).toBe(
      '/api/servers?page=1&pageSize=50&search=web-99&sort=datacenter',
    );
    expect(rows().map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'ns100005.ip-51-91-0.eu', // bhs1
      'ns100002.ip-51-91-0.eu', // rbx8
      'ns100008.ip-51-91-0.eu', // sbg5
    ]);

    await user.clear(searchField());
    await user.type(searchField(), 'NS100999');
    await waitFor(() =>
      expect(screen.getByText('1 server matching “NS100999”')).toBeInTheDocument(),
    );
    expect(listCalls(calls).at(-1)).toBe(
      '/api/servers?page=1&pageSize=50&search=NS100999&sort=datacenter',
    );
  });

  it('goes back to page 1 when the sort changes', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers?page=3&search=web');
    await screen.findByText('Showing 101–150 of 333');

    await user.click(screen.getByRole('button', { name: 'Datacenter' }));
    expect(router.state.location.search).toBe('?sort=datacenter&search=web');
    await screen.findByText('Showing 1–50 of 333');
    expect(listCalls(calls).at(-1)).toBe(
      '/api/servers?page=1&pageSize=50&search=web&sort=datacenter',
    );
  });

  it('opens a shared link on the same view: page, sort, order and search', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { router } = renderApp('/servers?page=2&sort=datacenter&order=desc&search=web');
    await screen.findByText('Showing 51–100 of 333');
    expect(screen.getByText('333 servers matching “web”')).toBeInTheDocument();
    expect(listCalls(calls)).toEqual([
      '/api/servers?page=2&pageSize=50&search=web&sort=datacenter&order=desc',
    ]);
    expect(header('Datacenter')).toHaveAttribute('aria-sort', 'descending');
    expect(searchField()).toHaveValue('web');
    expect(screen.getByRole('button', { name: 'page 2' })).toHaveAttribute('aria-current', 'page');
    expect(router.state.location.search).toBe('?page=2&sort=datacenter&order=desc&search=web');
  });

  it('restores each earlier view, search field included, on Back and forward', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers');
    await screen.findByText('ns100000.ip-51-91-0.eu');

    await user.click(screen.getByRole('button', { name: 'Datacenter' }));
    await screen.findByText('Showing 1–50 of 1,000');
    await user.click(screen.getByRole('button', { name: 'page 2' }));
    await screen.findByText('Showing 51–100 of 1,000');
    await user.type(searchField(), 'web');
    await screen.findByText('333 servers matching “web”');
    // Typing on refines the same search: it replaces the entry rather than adding one.
    await user.type(searchField(), '-99');
    await screen.findByText('3 servers matching “web-99”');
    expect(router.state.location.search).toBe('?sort=datacenter&search=web-99');

    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe('?page=2&sort=datacenter');
    await screen.findByText('Showing 51–100 of 1,000');
    expect(searchField()).toHaveValue('');
    expect(header('Datacenter')).toHaveAttribute('aria-sort', 'ascending');

    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe('?sort=datacenter');
    await screen.findByText('Showing 1–50 of 1,000');

    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe('');
    await waitFor(() => expect(header('Name')).toHaveAttribute('aria-sort', 'ascending'));
    expect(firstName()).toHaveTextContent('ns100000.ip-51-91-0.eu');

    await act(() => router.navigate(3));
    expect(router.state.location.search).toBe('?sort=datacenter&search=web-99');
    await screen.findByText('3 servers matching “web-99”');
    expect(searchField()).toHaveValue('web-99');
    // The field's debounce must not write the old text back over the restored view.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(router.state.location.search).toBe('?sort=datacenter&search=web-99');
    expect(router.state.historyAction).toBe('POP');
  });

  it.each([
    ['/servers?page=abc&sort=ip&order=up', ''],
    ['/servers?page=0&sort=&order=', ''],
    ['/servers?page=2.5&sort=DATACENTER&order=DESC&extra=1', ''],
    ['/servers?page=-3&order=desc&sort=name&page=2', '?order=desc'],
    ['/servers?page=1&sort=name&order=asc&search=%20%20', ''],
  ])('falls back to the defaults for what it cannot use in %s', async (path, canonical) => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    const { router } = renderApp(path);
    await screen.findByText('1,000 servers');
    await waitFor(() => expect(router.state.location.search).toBe(canonical));
    expect(listCalls(calls)).toEqual([
      `/api/servers?page=1&pageSize=50${canonical ? '&order=desc' : ''}`,
    ]);
    expect(screen.queryByText('Could not list servers.')).not.toBeInTheDocument();
  });

  it('cuts a search longer than the BFF accepts', async () => {
    const { calls } = mockApi({ 'GET /api/servers': listServers() });
    renderApp(`/servers?search=${'a'.repeat(300)}`);
    await screen.findByText(/^No server name or display name contains/);
    expect(listCalls(calls)).toEqual([`/api/servers?page=1&pageSize=50&search=${'a'.repeat(255)}`]);
    expect(searchField()).toHaveValue('a'.repeat(255));
  });

  it('says when a page is past the end of the list, and links to the first page', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    const { user, router } = renderApp('/servers?page=21&sort=os');
    await screen.findByText(/^There is no page 21: the list has 20 pages\./);
    await user.click(screen.getByRole('link', { name: 'Go to the first page' }));
    expect(router.state.location.search).toBe('?sort=os');
    await screen.findByText('Showing 1–50 of 1,000');
  });

  it('says when nothing matches', async () => {
    mockApi({ 'GET /api/servers': listServers() });
    renderApp('/servers?search=nope');
    expect(
      await screen.findByText(
        'No server name or display name contains “nope”. Check the spelling or clear the search.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('0 servers matching “nope”')).toBeInTheDocument();
  });

  it('links an installing row to its progress and reads the page again until it has ended', async () => {
    const fleet = FLEET.slice(0, 3).map((server, i) => ({ ...server, installing: i === 0 }));
    let reads = 0;
    const first = listServers(fleet);
    const after = listServers(fleet.map((server) => ({ ...server, installing: false })));
    mockApi({
      'GET /api/servers': (call) => {
        reads += 1;
        return reads === 1 ? first(call) : after(call);
      },
    });
    renderApp('/servers');
    const installing = await screen.findByRole('link', { name: 'Installing' });
    expect(installing).toHaveAttribute(
      'href',
      `/servers/${encodeURIComponent(fleet[0]?.name ?? '')}/install/progress`,
    );
    await waitFor(
      () => expect(screen.queryByRole('link', { name: 'Installing' })).not.toBeInTheDocument(),
      { timeout: 8000 },
    );
    expect(reads).toBe(2);
  }, 15_000);
});
