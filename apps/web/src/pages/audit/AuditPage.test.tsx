import type { AuditEntryDto } from '@byoi/shared';
import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
});

const entries: AuditEntryDto[] = [
  {
    time: '2026-11-26T01:02:03.000Z',
    event: 'install',
    outcome: 'success',
    user: 'alice',
    role: 'operator',
    ip: '127.0.0.1',
    method: 'POST',
    route: `/api/servers/${SN}/install`,
    status: 202,
    server: SN,
    imageURL: 'https://images.example.com/a.qcow2?token=',
    imageType: 'qcow2',
    httpHeaders: [{ name: 'Authorization', valueSha256: 'ab'.repeat(32) }],
    taskId: 42,
  },
  {
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
  },
];

describe('audit log', () => {
  it('lists the recent entries in a table, newest first', async () => {
    const { calls } = mockApi({ 'GET /api/audit': () => ({ body: { entries } }) });
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
    expect(rows[1]).toHaveTextContent('headers: Authorization');
    expect(rows[1]).toHaveTextContent('task 42');
    expect(rows[1]).not.toHaveTextContent('abab');
    expect(rows[2]).toHaveTextContent('mallory');
    expect(rows[2]).toHaveTextContent('UNAUTHENTICATED');
    expect(calls.find((c) => c.path.startsWith('/api/audit'))?.path).toBe('/api/audit?limit=200');
  });

  it('tells a viewer it is for operators without asking the server', async () => {
    const { calls } = mockApi({ 'GET /api/session': () => ({ body: viewerSession }) });
    renderApp('/audit');
    expect(await screen.findByText(/The audit log is for operators/)).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/api/audit'))).toBe(false);
  });
});
