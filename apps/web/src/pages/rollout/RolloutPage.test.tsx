import type { ApiErrorBody, RolloutDetailDto } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, viewerSession } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import {
  BLOCKED_REASON,
  OVH_FAILURE,
  READY_SERVERS,
  ROLLOUT_ID,
  rolloutOf,
  rolloutServer,
} from '../../test/rollouts.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PATH = `/rollouts/${ROLLOUT_ID}`;
const GET = `GET /api/rollouts/${ROLLOUT_ID}`;
const answer = (rollout: RolloutDetailDto) => () => ({ body: rollout });
const posts = (calls: RecordedCall[], step: string) =>
  calls.filter((c) => c.method === 'POST' && c.path === `/api/rollouts/${ROLLOUT_ID}/${step}`);
const conflict = (message: string) => {
  const body: ApiErrorBody = { error: { code: 'ROLLOUT_CONFLICT', message } };
  return { status: 409, body };
};

async function openStart(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByRole('button', { name: 'Start' }));
  return screen.findByRole('dialog', { name: 'Start Debian 12.8 on web?' });
}

describe('a rollout being checked', () => {
  it('says the check runs, and reads the rollout again until it is ready', async () => {
    let reads = 0;
    mockApi({
      [GET]: () => {
        reads += 1;
        return { body: rolloutOf(reads === 1 ? 'checking' : 'ready') };
      },
    });
    renderApp(PATH);
    expect(await screen.findByText('Checking the image and every server…')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start' })).not.toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Hardware profiles' }, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(reads).toBe(2);
  }, 15_000);

  it('shows why the check could not run', async () => {
    mockApi({
      [GET]: answer(
        rolloutOf('failed', READY_SERVERS, {
          matrix: null,
          checkError: 'OVH did not answer: try again in a few minutes.',
        }),
      ),
    });
    renderApp(PATH);
    expect(
      await screen.findByText('OVH did not answer: try again in a few minutes.'),
    ).toBeInTheDocument();
  });
});

describe('a ready rollout', () => {
  it('shows the preflight matrix, the blocked servers and the plan with its notes', async () => {
    mockApi({
      [GET]: answer(
        rolloutOf('ready', READY_SERVERS, {
          notes: [
            'canary (1) is larger than maxInFlight (0): the canaries are installed 0 at a time.',
          ],
        }),
      ),
    });
    renderApp(PATH);
    const checks = await screen.findByRole('list', { name: 'Image checks' });
    expect(within(checks).getAllByRole('listitem')).toHaveLength(2);
    expect(checks).toHaveTextContent('Reachability');
    expect(checks).toHaveTextContent('The image answered 200 with 1.2 GiB.');
    expect(
      screen.getByText(/Checksum from the checksum file, installed with the image/),
    ).toHaveTextContent(`sha256 ${'ab'.repeat(32)}`);

    const profiles = screen.getByRole('table', { name: 'Hardware profiles' });
    const [big, small] = within(profiles).getAllByRole('row').slice(1);
    expect(big).toHaveTextContent('64 GiB RAM · 2 × 960 GB NVMe · UEFI');
    expect(within(big!).getAllByRole('cell')[1]).toHaveTextContent(/^3$/);
    expect(within(big!).getByText('OK')).toBeInTheDocument();
    expect(within(small!).getAllByRole('cell')[1]).toHaveTextContent(/^1$/);
    expect(within(small!).getByText('Blocked')).toBeInTheDocument();
    expect(small).toHaveTextContent(BLOCKED_REASON);
    // Narrow screens label each cell.
    expect(within(big!).getAllByRole('cell')[0]).toHaveAttribute('data-label', 'Profile');

    const blocked = screen.getByRole('list', { name: 'Blocked servers' });
    expect(within(blocked).getByRole('link', { name: 'ns100004.ip-51-91-0.eu' })).toHaveAttribute(
      'href',
      '/servers/ns100004.ip-51-91-0.eu',
    );
    expect(blocked).toHaveTextContent(BLOCKED_REASON);

    expect(screen.getByRole('list', { name: 'Notes on this plan' })).toHaveTextContent(
      'the canaries are installed 0 at a time',
    );
    expect(screen.getByText('Batch size').nextElementSibling).toHaveTextContent('2');
    expect(screen.getByRole('button', { name: 'Abort' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
  });

  it('starts only once the exact words are typed, counting the servers not blocked', async () => {
    const { calls } = mockApi({
      [GET]: answer(rolloutOf('ready')),
      [`POST /api/rollouts/${ROLLOUT_ID}/start`]: () => ({ body: rolloutOf('running') }),
    });
    const { user } = renderApp(PATH);
    const dialog = await openStart(user);
    expect(dialog).toHaveTextContent('Installing erases every disk of 3 servers');
    const confirm = within(dialog).getByRole('button', { name: 'Start the rollout' });
    const field = within(dialog).getByLabelText('Type “reinstall 3 servers” to confirm');
    expect(confirm).toBeDisabled();
    await user.type(field, 'reinstall 4 servers');
    expect(confirm).toBeDisabled();
    await user.clear(field);
    await user.type(field, 'Reinstall 3 servers');
    expect(confirm).toBeDisabled();
    await user.clear(field);
    await user.type(field, 'reinstall 3 servers ');
    expect(confirm).toBeDisabled();
    await user.clear(field);
    await user.type(field, 'reinstall 3 servers');
    expect(confirm).toBeEnabled();
    expect(posts(calls, 'start')).toHaveLength(0);

    await user.click(confirm);
    await waitFor(() => expect(posts(calls, 'start')).toHaveLength(1));
    expect(await screen.findByRole('list', { name: 'Failed servers' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeInTheDocument();
  });

  it('asks for “reinstall 1 server” for one server', async () => {
    mockApi({
      [GET]: answer(rolloutOf('ready', [rolloutServer('ns100001.ip-51-91-0.eu', 'pending')])),
    });
    const { user } = renderApp(PATH);
    const dialog = await openStart(user);
    await user.type(
      within(dialog).getByLabelText('Type “reinstall 1 server” to confirm'),
      'reinstall 1 server',
    );
    expect(within(dialog).getByRole('button', { name: 'Start the rollout' })).toBeEnabled();
  });

  it('says a refusing plan will not start with blocked servers, and shows the BFF’s sentence', async () => {
    const ready = rolloutOf('ready');
    const sentence =
      'The rollout refuses to start: 1 server is blocked (onBlocked is refuse). Plan it again without ns100004.ip-51-91-0.eu or with onBlocked skip.';
    mockApi({
      [GET]: answer({ ...ready, plan: { ...ready.plan, onBlocked: 'refuse' } }),
      [`POST /api/rollouts/${ROLLOUT_ID}/start`]: () => conflict(sentence),
    });
    const { user } = renderApp(PATH);
    expect(
      await screen.findByText(/The plan refuses to start while any server is blocked, and 1 is/),
    ).toBeInTheDocument();
    const dialog = await openStart(user);
    await user.type(
      within(dialog).getByLabelText('Type “reinstall 3 servers” to confirm'),
      'reinstall 3 servers',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Start the rollout' }));
    expect(await within(dialog).findByText(sentence)).toBeInTheDocument();
    expect(within(dialog).getByText('The rollout did not start.')).toBeInTheDocument();
  });
});

describe('a rollout under way', () => {
  it('counts the servers by state, shows the progress, the ETA and the grid', async () => {
    mockApi({ [GET]: answer(rolloutOf('running')) });
    renderApp(PATH);
    const list = await screen.findByLabelText('Servers by state');
    const count = (label: string) =>
      within(list).getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(count('Pending')).toBe('2');
    expect(count('Installing')).toBe('1');
    expect(count('Done')).toBe('2');
    expect(count('Failed')).toBe('1');
    expect(count('Skipped')).toBe('1');
    expect(count('Blocked')).toBe('0');
    expect(count('Cancelled')).toBe('0');
    expect(count('Total')).toBe('7');

    // 4 of 7 settled.
    expect(screen.getByRole('progressbar', { name: 'Rollout progress' })).toHaveAttribute(
      'aria-valuenow',
      '57',
    );
    expect(screen.getByText(/4 of 7 servers settled · about 12:30 left/)).toBeInTheDocument();

    const failed = screen.getByRole('list', { name: 'Failed servers' });
    const tile = within(failed).getByRole('link', { name: /^ns100003\.ip-51-91-0\.eu/ });
    expect(tile).toHaveAttribute('href', '/servers/ns100003.ip-51-91-0.eu');
    expect(tile).toHaveAccessibleName(`ns100003.ip-51-91-0.eu, failed: ${OVH_FAILURE}`);
    expect(tile).toHaveAttribute('title', `ns100003.ip-51-91-0.eu — failed: ${OVH_FAILURE}`);
    expect(tile).toHaveClass('server-tile--failed');
    expect(
      within(screen.getByRole('list', { name: 'Done servers' })).getAllByRole('link'),
    ).toHaveLength(2);
    expect(
      within(screen.getByRole('list', { name: 'Pending servers' })).getAllByRole('link'),
    ).toHaveLength(2);
    expect(screen.getByRole('list', { name: 'Installing servers' })).toHaveTextContent('ns100004');
    expect(screen.queryByRole('list', { name: 'Blocked servers' })).not.toBeInTheDocument();

    // OVH's own words for the failure, in the open.
    expect(screen.getByRole('list', { name: 'Failed installs' })).toHaveTextContent(
      `ns100003.ip-51-91-0.euOVH: ${OVH_FAILURE}`,
    );
  });

  it('lists the timeline newest first', async () => {
    mockApi({ [GET]: answer(rolloutOf('running')) });
    renderApp(PATH);
    const timeline = await screen.findByRole('list', { name: 'Timeline' });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringContaining('The check found 1 server the image cannot fit.'),
      expect.stringContaining('alice planned the rollout.by alice'),
    ]);
  });

  it('pauses a running rollout, then resumes it', async () => {
    const { calls } = mockApi({
      [GET]: answer(rolloutOf('running')),
      [`POST /api/rollouts/${ROLLOUT_ID}/pause`]: () => ({ body: rolloutOf('paused') }),
      [`POST /api/rollouts/${ROLLOUT_ID}/resume`]: () => ({ body: rolloutOf('running') }),
    });
    const { user } = renderApp(PATH);
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Abort' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start' })).not.toBeInTheDocument();
    expect(posts(calls, 'pause')).toHaveLength(1);
    expect(posts(calls, 'pause')[0]?.body).toBeUndefined();

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeInTheDocument();
    expect(posts(calls, 'resume')).toHaveLength(1);
  });

  it('says why a step was refused', async () => {
    mockApi({
      [GET]: answer(rolloutOf('running')),
      [`POST /api/rollouts/${ROLLOUT_ID}/pause`]: () =>
        conflict('The rollout has ended (done): there is nothing to pause.'),
    });
    const { user } = renderApp(PATH);
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(
      await screen.findByText('The rollout has ended (done): there is nothing to pause.'),
    ).toBeInTheDocument();
    expect(screen.getByText('The rollout was not paused.')).toBeInTheDocument();
  });

  it.each([
    [false, { cancelRunning: false }],
    [true, { cancelRunning: true }],
  ])('aborts after asking, cancelling the running installs: %s', async (tick, body) => {
    const { calls } = mockApi({
      [GET]: answer(rolloutOf('running')),
      [`POST /api/rollouts/${ROLLOUT_ID}/abort`]: () => ({
        body: rolloutOf('aborted', undefined, { endedAt: '2026-12-01T10:00:00.000Z' }),
      }),
    });
    const { user } = renderApp(PATH);
    await user.click(await screen.findByRole('button', { name: 'Abort' }));
    const dialog = await screen.findByRole('dialog', { name: 'Abort Debian 12.8 on web?' });
    expect(dialog).toHaveTextContent('1 install is running at OVH');
    if (tick) {
      await user.click(
        within(dialog).getByRole('checkbox', {
          name: 'Also cancel the installs running at OVH (leaves those servers unbootable)',
        }),
      );
    }
    await user.click(within(dialog).getByRole('button', { name: 'Abort the rollout' }));
    await waitFor(() => expect(posts(calls, 'abort')).toHaveLength(1));
    expect(posts(calls, 'abort')[0]?.body).toEqual(body);
    // Aborted: no button is left.
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Abort' })).not.toBeInTheDocument(),
    );
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
  });

  it('shows a viewer the live view without any button', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      [GET]: answer(rolloutOf('running')),
    });
    renderApp(PATH);
    expect(await screen.findByRole('list', { name: 'Failed servers' })).toBeInTheDocument();
    for (const name of ['Start', 'Pause', 'Resume', 'Abort']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('shows a viewer a ready rollout without Start', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      [GET]: answer(rolloutOf('ready')),
    });
    renderApp(PATH);
    expect(await screen.findByRole('table', { name: 'Hardware profiles' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Abort' })).not.toBeInTheDocument();
  });

  it('stops reading once the rollout has ended and no install runs, not before', async () => {
    let reads = 0;
    const servers = [
      rolloutServer('ns100001.ip-51-91-0.eu', 'done'),
      rolloutServer('ns100002.ip-51-91-0.eu', 'installing'),
    ];
    mockApi({
      [GET]: () => {
        reads += 1;
        // Aborted with an install still running at OVH, which then ends.
        return {
          body: rolloutOf(
            'aborted',
            reads === 1 ? servers : [servers[0]!, rolloutServer('ns100002.ip-51-91-0.eu', 'done')],
          ),
        };
      },
    });
    renderApp(PATH);
    await screen.findByRole('list', { name: 'Installing servers' });
    expect(screen.queryByRole('button', { name: 'Abort' })).not.toBeInTheDocument();
    await waitFor(() => expect(reads).toBe(2), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(reads).toBe(2);
  }, 15_000);
});
