import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, viewerSession } from '../test/api.ts';
import { renderApp } from '../test/render.tsx';

const emptyList = () => ({ body: { items: [], total: 0, page: 1, pageSize: 50 } });

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'byoi_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('header', () => {
  it('shows the operator, the role, the Audit log link and signs out with the CSRF token', async () => {
    document.cookie = 'byoi_csrf=tok3n';
    const { calls } = mockApi({
      'GET /api/servers': emptyList,
      'DELETE /api/session': () => ({ status: 204 }),
    });
    const { user, router } = renderApp('/servers');
    const header = await screen.findByRole('banner');
    expect(await within(header).findByText('alice')).toBeInTheDocument();
    expect(within(header).getByText('operator')).toBeInTheDocument();
    expect(within(header).getByRole('link', { name: 'Audit log' })).toHaveAttribute(
      'href',
      '/audit',
    );

    await user.click(within(header).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    const signOut = calls.find((c) => c.method === 'DELETE');
    expect(signOut?.path).toBe('/api/session');
    expect(signOut?.headers['X-CSRF-Token']).toBe('tok3n');
    // Reads never carry the token.
    expect(calls.find((c) => c.method === 'GET')?.headers['X-CSRF-Token']).toBeUndefined();
  });

  it('gives a viewer no Audit log link', async () => {
    mockApi({ 'GET /api/session': () => ({ body: viewerSession }), 'GET /api/servers': emptyList });
    renderApp('/servers');
    const header = await screen.findByRole('banner');
    expect(await within(header).findByText('viewer')).toBeInTheDocument();
    expect(within(header).queryByRole('link', { name: 'Audit log' })).not.toBeInTheDocument();
  });
});
