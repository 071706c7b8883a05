import type { AuditEntryDto, AuditListResponse } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN, viewerSession, type RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const base = { role: 'operator' as const, ip: '127.0.0.1' };

const submitted: AuditEntryDto = {
  ...base,
  id: 'submit-1',
  time: '2026-11-26T01:02:03.000Z',
  event: 'install',
  outcome: 'submitted',
  user: 'alice',
  method: 'POST',
  route: `/api/servers/${SN}/install`,
  status: 202,
  server: SN,
  imageURL: 'https://images.example.com/a.qcow2?token=',
  imageType: 'qcow2',
  httpHeaders: [{ name: 'Authorization', valueSha256: 'ab'.repeat(32) }],
  taskId: 123,
  acknowledged: {
    predictedMessage: 'Could not download image: https://images.example.com/a.qcow2?token=',
  },
};

const failed: AuditEntryDto = {
  ...base,
  id: 'outcome-1',
  time: '2026-11-26T01:09:00.000Z',
  event: 'install',
  outcome: 'failed',
  user: 'alice',
  ip: null,
  server: SN,
  taskId: 123,
  relatesTo: 'submit-1',
  learnedFrom: 'watch',
  message: 'Could not download image: The requested URL returned error: 404',
};

const signInFailure: AuditEntryDto = {
  ...base,
  id: 'sign-in-1',
  time: '2026-11-26T01:00:00.000Z',
  event: 'sign-in',
  outcome: 'failure',
  user: 'mallory',
  role: null,
  ip: '10.0.0.9',
  method: 'POST',
  route: '/api/session',
  status: 401,
  code: 'UNAUTHENTICATED',
};

const refusals: AuditEntryDto = {
  id: 'refusals-1',
  time: '2026-11-26T00:59:58.000Z',
  firstTime: '2026-11-26T00:59:01.000Z',
  event: 'refusal',
  outcome: 'refused',
  user: null,
  role: null,
  ip: '10.0.0.9',
  code: 'UNAUTHENTICATED',
  count: 50,
  samples: ['GET /api/servers → 401', 'GET /api/audit → 401'],
};

const preflightFailed: AuditEntryDto = {
  ...base,
  id: 'preflight-1',
  time: '2026-11-26T00:58:00.000Z',
  event: 'preflight',
  outcome: 'failure',
  user: 'alice',
  method: 'POST',
  route: `/api/servers/${SN}/preflight`,
  status: 200,
  server: SN,
  failedChecks: ['reachability'],
  message: 'Could not download image: The requested URL returned error: 404',
};

const done: AuditEntryDto = {
  ...base,
  id: 'outcome-2',
  time: '2026-11-26T00:57:00.000Z',
  event: 'install',
  outcome: 'done',
  user: 'bob',
  ip: null,
  server: 'ns-other.example',
  taskId: 99,
  relatesTo: 'submit-elsewhere',
  learnedFrom: 'progress',
};

const page = (entries: AuditEntryDto[], more: Partial<AuditListResponse> = {}) => ({
  body: { entries, nextCursor: null, prevCursor: null, ...more } satisfies AuditListResponse,
});

const auditCalls = (calls: RecordedCall[]) =>
  calls.filter((c) => c.path.startsWith('/api/audit')).map((c) => c.path);

describe('audit log', () => {
  it('lists the entries in a table, newest first, with the request and its facts', async () => {
    const { calls } = mockApi({ 'GET /api/audit': () => page([submitted, signInFailure]) });
    renderApp('/audit');
    const table = await screen.findByRole('table', { name: 'Audit log' });
    await within(table).findByText('mallory');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(
      within(rows[0]!)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Time', 'Event', 'Outcome', 'User', 'From', 'Server', 'Request', 'Details']);
    expect(rows[1]).toHaveTextContent('install');
    expect(rows[1]).toHaveTextContent('alice');
    expect(rows[1]).toHaveTextContent('POST /api/servers/:sn/install → 202');
    expect(rows[1]).toHaveTextContent('headers: Authorization');
    expect(rows[1]).toHaveTextContent('submitted to OVH as task 123');
    expect(rows[1]).not.toHaveTextContent('abab');
    expect(rows[2]).toHaveTextContent('mallory');
    expect(rows[2]).toHaveTextContent('UNAUTHENTICATED');
    // Dates in the operator's locale, not the raw ISO text.
    const time = within(rows[1]!).getByText(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(
        new Date(submitted.time),
      ),
    );
    expect(time).toHaveAttribute('datetime', submitted.time);
    expect(auditCalls(calls)).toEqual(['/api/audit?limit=50']);
  });

  it('shows outcomes in words and colours, linked to their submit', async () => {
    mockApi({
      'GET /api/audit': () => page([failed, submitted, refusals, preflightFailed, done]),
    });
    renderApp('/audit');
    const table = await screen.findByRole('table', { name: 'Audit log' });
    const row = (id: string) => table.querySelector(`tr[id="audit-${id}"]`) as HTMLElement;
    await within(table).findByText(/Install #task 123 failed/);

    // The Outcome cell holds the badge.
    const badge = (id: string) => row(id).querySelectorAll('td')[2]?.firstElementChild;
    expect(badge('outcome-1')).toHaveTextContent('failed');
    expect(badge('outcome-1')?.className).toMatch(/critical/);
    expect(badge('submit-1')?.className).toMatch(/information/);
    expect(badge('refusals-1')?.className).toMatch(/warning/);
    expect(badge('outcome-2')?.className).toMatch(/success/);
    expect(badge('preflight-1')?.className).toMatch(/critical/);

    expect(row('outcome-1')).toHaveTextContent(
      'Install #task 123 failed: “Could not download image: The requested URL returned error: 404”',
    );
    expect(row('outcome-1')).toHaveTextContent('Seen by the console’s watch of the install.');
    expect(within(row('outcome-1')).getByRole('link', { name: 'See its submit' })).toHaveAttribute(
      'href',
      '#audit-submit-1',
    );
    // A submit on another page is found through the filters.
    const find = within(row('outcome-2')).getByRole('link', { name: 'Find its submit' });
    const search = new URLSearchParams(find.getAttribute('href')?.split('?')[1]);
    expect(Object.fromEntries(search)).toEqual({
      server: 'ns-other.example',
      event: 'install',
      outcome: 'submitted',
      to: '2026-11-26T00:57:00.001Z',
    });
    expect(row('outcome-2')).toHaveTextContent('Install #task 99 finished.');
    expect(row('submit-1')).toHaveTextContent(
      'Installed despite a failed check, acknowledging “Could not download image: https://images.example.com/a.qcow2?token=”',
    );
    expect(row('refusals-1')).toHaveTextContent('50 refusals from 10.0.0.9 in this minute');
    expect(row('refusals-1')).toHaveTextContent(
      'For example: GET /api/servers → 401, GET /api/audit → 401',
    );
    expect(row('preflight-1')).toHaveTextContent(
      'Failed checks: reachability — OVH would answer “Could not download image:',
    );
  });

  it('puts the filters in the address and the request, from the first page', async () => {
    const { calls } = mockApi({ 'GET /api/audit': () => page([submitted]) });
    const { user, router } = renderApp('/audit?cursor=b4096');
    await screen.findByRole('table', { name: 'Audit log' });
    await user.type(screen.getByLabelText('User'), ' alice ');
    await user.type(screen.getByLabelText('Server'), 'ns123');
    await user.selectOptions(screen.getByLabelText('Event'), 'install');
    await user.selectOptions(screen.getByLabelText('Outcome'), 'failed');
    await user.type(screen.getByLabelText('From'), '2026-11-26T09:30');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    const from = new Date(2026, 10, 26, 9, 30).toISOString();
    const expected = new URLSearchParams({
      user: 'alice',
      server: 'ns123',
      event: 'install',
      outcome: 'failed',
      from,
    });
    await waitFor(() => expect(router.state.location.search).toBe(`?${expected}`));
    await waitFor(() => expect(auditCalls(calls).at(-1)).toBe(`/api/audit?limit=50&${expected}`));
    expect(auditCalls(calls)[0]).toBe('/api/audit?limit=50&cursor=b4096');

    // A reload of that address shows the same filters in the form.
    mockApi({ 'GET /api/audit': () => page([]) });
    const reloaded = renderApp(`/audit?${expected}`);
    expect(await screen.findByText(/Nothing matches these filters/)).toBeInTheDocument();
    expect(screen.getAllByLabelText('User').at(-1)).toHaveValue('alice');
    expect(screen.getAllByLabelText('Outcome').at(-1)).toHaveValue('failed');
    expect(screen.getAllByLabelText('From').at(-1)).toHaveValue('2026-11-26T09:30');

    await user.click(screen.getAllByRole('button', { name: 'Clear filters' }).at(-1)!);
    await waitFor(() => expect(reloaded.router.state.location.search).toBe(''));
  });

  it('refuses a time range that ends before it starts, without asking the server', async () => {
    const { calls } = mockApi({ 'GET /api/audit': () => page([]) });
    const { user } = renderApp('/audit');
    await screen.findByRole('table', { name: 'Audit log' });
    await user.type(screen.getByLabelText('From'), '2026-11-26T10:00');
    await user.type(screen.getByLabelText('To'), '2026-11-26T09:00');
    expect(screen.getByText('To must be later than From.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply filters' })).toBeDisabled();
    expect(auditCalls(calls)).toHaveLength(1);
  });

  it('pages to older and newer entries with the cursors the server gives', async () => {
    const { calls } = mockApi({
      'GET /api/audit': (call) => {
        const cursor = new URL(call.path, 'http://localhost').searchParams.get('cursor');
        if (cursor === null) return page([submitted], { nextCursor: 'b100' });
        if (cursor === 'b100')
          return page([signInFailure], { prevCursor: 'a200', nextCursor: 'b50' });
        return page([done], { nextCursor: 'b100' });
      },
    });
    const { user, router } = renderApp('/audit?event=install');
    const table = await screen.findByRole('table', { name: 'Audit log' });
    await within(table).findByText('alice');
    expect(screen.getByRole('button', { name: /Previous page/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Newest' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: /Next page/ }));
    await within(table).findByText('mallory');
    expect(router.state.location.search).toBe('?event=install&cursor=b100');
    expect(auditCalls(calls).at(-1)).toBe('/api/audit?limit=50&event=install&cursor=b100');

    await user.click(screen.getByRole('button', { name: /Previous page/ }));
    await within(table).findByText('bob');
    expect(router.state.location.search).toBe('?event=install&cursor=a200');

    await user.click(screen.getByRole('button', { name: 'Newest' }));
    await within(table).findByText('alice');
    expect(router.state.location.search).toBe('?event=install');
  });

  it('drops what the server would refuse from the address', async () => {
    const { calls } = mockApi({ 'GET /api/audit': () => page([]) });
    const { router } = renderApp('/audit?outcome=great&cursor=page2&from=soon&server=ns1&limit=9');
    await screen.findByRole('table', { name: 'Audit log' });
    await waitFor(() => expect(router.state.location.search).toBe('?server=ns1'));
    expect(auditCalls(calls).every((p) => p === '/api/audit?limit=50&server=ns1')).toBe(true);
  });

  it('tells a viewer it is for operators without asking the server', async () => {
    const { calls } = mockApi({ 'GET /api/session': () => ({ body: viewerSession }) });
    renderApp('/audit');
    expect(await screen.findByText(/The audit log is for operators/)).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/api/audit'))).toBe(false);
  });

  it('names the library image a library change was about, linked to it', async () => {
    const created: AuditEntryDto = {
      ...base,
      id: 'image-1',
      time: '2026-11-26T02:00:00.000Z',
      event: 'image-version',
      outcome: 'success',
      user: 'alice',
      method: 'POST',
      route: '/api/images/img-debian/versions',
      status: 201,
      imageId: 'img-debian',
      imageName: 'Debian 12 web',
      imageVersion: 2,
      imageURL: 'https://images.example.com/debian-12.1.qcow2',
      imageType: 'qcow2',
      httpHeaders: [{ name: 'Authorization', valueSha256: 'cd'.repeat(32) }],
    };
    mockApi({ 'GET /api/audit': () => page([created]) });
    renderApp('/audit');
    const table = await screen.findByRole('table', { name: 'Audit log' });
    const link = await within(table).findByRole('link', { name: 'Debian 12 web v2' });
    expect(link).toHaveAttribute('href', '/images/img-debian');
    const row = link.closest('tr')!;
    expect(row).toHaveTextContent('image-version');
    expect(row).toHaveTextContent('headers: Authorization');
    expect(row).not.toHaveTextContent('cd'.repeat(32));
  });
});
