import type { RolloutListResponse, RolloutSummaryDto } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { rolloutOf } from '../../test/rollouts.ts';
import { formatDateTime } from '../../ui/format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

function summary(id: string, name: string, overrides: Partial<RolloutSummaryDto> = {}) {
  const {
    servers: _s,
    matrix: _m,
    notes: _n,
    events: _e,
    checkError: _c,
    ...rest
  } = rolloutOf('running');
  return { ...rest, id, name, ...overrides };
}

const newest = summary('ro-2', 'Debian 12.8 on web');
const older = summary('ro-1', 'Rocky 9 on db', {
  state: 'done',
  image: { ...newest.image, libraryImage: null, imageURL: 'https://images.example.com/rocky.raw' },
  createdBy: 'bob',
});
const oldest = summary('ro-0', 'First try', { state: 'aborted' });

describe('the rollout history', () => {
  it('lists rollouts newest first with state, counts, author and image, and pages on', async () => {
    const { calls } = mockApi({
      'GET /api/rollouts': ({ path }): { body: RolloutListResponse } =>
        path.includes('cursor=c1')
          ? { body: { rollouts: [oldest], nextCursor: null } }
          : { body: { rollouts: [newest, older], nextCursor: 'c1' } },
    });
    const { user } = renderApp('/rollouts');
    const table = await screen.findByRole('table', { name: 'Rollouts' });
    await within(table).findByRole('link', { name: 'Debian 12.8 on web' });
    expect(calls.find((c) => c.path.startsWith('/api/rollouts'))?.path).toBe(
      '/api/rollouts?limit=20',
    );
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    expect(within(first!).getByRole('link', { name: 'Debian 12.8 on web' })).toHaveAttribute(
      'href',
      '/rollouts/ro-2',
    );
    expect(within(first!).getByText('Running')).toBeInTheDocument();
    expect(first).toHaveTextContent('2/7 done1 failed');
    expect(first).toHaveTextContent(`${formatDateTime(newest.createdAt)}by alice`);
    expect(first).toHaveTextContent('Debian 12 web v2');
    expect(within(second!).getByText('Done')).toBeInTheDocument();
    expect(second).toHaveTextContent('by bob');
    expect(second).toHaveTextContent('https://images.example.com/rocky.raw');
    expect(within(first!).getAllByRole('cell')[2]).toHaveAttribute('data-label', 'Servers');
    expect(screen.getByRole('link', { name: 'New rollout' })).toHaveAttribute(
      'href',
      '/rollouts/new',
    );

    await user.click(screen.getByRole('button', { name: 'Older' }));
    await within(table).findByRole('link', { name: 'First try' });
    expect(calls.at(-1)?.path).toBe('/api/rollouts?limit=20&cursor=c1');
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Older' })).not.toBeInTheDocument(),
    );
  });

  it('is in the main navigation; a viewer gets no New rollout and no Webhooks link', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      'GET /api/rollouts': () => ({ body: { rollouts: [], nextCursor: null } }),
    });
    renderApp('/rollouts');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Rollouts' })).toHaveAttribute(
      'href',
      '/rollouts',
    );
    expect(
      await screen.findByText(/No rollout yet\. The rollouts operators plan appear here\./),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New rollout' })).not.toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Webhooks' })).not.toBeInTheDocument();
  });

  it('gives an operator the Webhooks link, and says why the list could not be read', async () => {
    mockApi({
      'GET /api/rollouts': () => ({
        status: 503,
        body: {
          error: { code: 'STORE_UNAVAILABLE', message: 'The console’s database did not answer.' },
        },
      }),
    });
    renderApp('/rollouts');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(await within(nav).findByRole('link', { name: 'Webhooks' })).toHaveAttribute(
      'href',
      '/webhooks',
    );
    expect(await screen.findByText('The console’s database did not answer.')).toBeInTheDocument();
  });
});
