import type { InstallProgressDto } from '@byoi/shared';
import { explainUpstreamMessage } from '@byoi/shared';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, SN, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { saveForm } from '../configure/formStorage.ts';

const PROGRESS = `/servers/${SN}/install/progress`;
const MISMATCH = `Bad sha256 for downloaded file, got: ${'a'.repeat(64)} while expecting ${'b'.repeat(64)}.`;

afterEach(() => {
  vi.unstubAllGlobals();
});

const task = {
  taskId: 7,
  function: 'reinstallServer',
  status: 'doing' as const,
  comment: null,
  startDate: '2026-11-26T01:00:00.000Z',
  doneDate: null,
  lastUpdate: null,
};

const runningProgress: InstallProgressDto = {
  serverName: SN,
  state: 'running',
  percent: 40,
  elapsedSeconds: 75,
  task,
  failure: null,
  steps: [
    { comment: 'Downloading the image', status: 'done', error: null },
    { comment: 'Checking the image', status: 'doing', error: null },
    { comment: 'Writing the image', status: 'todo', error: null },
  ],
};

const doneProgress: InstallProgressDto = {
  ...runningProgress,
  state: 'done',
  percent: 100,
  task: { ...task, status: 'done' },
  steps: runningProgress.steps.map((s) => ({ ...s, status: 'done' })),
};

const failedProgress: InstallProgressDto = {
  ...runningProgress,
  state: 'failed',
  task: { ...task, status: 'customerError' },
  steps: [
    { comment: 'Downloading the image', status: 'done', error: null },
    { comment: 'Checking the image', status: 'error', error: MISMATCH },
  ],
  failure: { message: MISMATCH, entry: explainUpstreamMessage(MISMATCH) },
};

describe('installation progress', () => {
  it('shows steps, bar and elapsed time, polls while running and stops at the end', async () => {
    let polls = 0;
    mockApi({
      [`GET /api/servers/${SN}/install`]: () => {
        polls += 1;
        return { body: polls === 1 ? runningProgress : doneProgress };
      },
    });
    renderApp(PROGRESS);
    expect(await screen.findByText('Checking the image')).toBeInTheDocument();
    expect(screen.getByText('In progress')).toBeInTheDocument();
    expect(screen.getByText('To do')).toBeInTheDocument();
    expect(screen.getByLabelText('Installation progress')).toHaveAttribute('value', '40');
    expect(screen.getByLabelText('Elapsed time')).toHaveTextContent(/Elapsed 1:1[5-9]/);
    expect(screen.getByRole('button', { name: 'Cancel installation' })).toBeInTheDocument();

    expect(await screen.findByText('Installation complete')).toBeInTheDocument();
    const pollsAtEnd = polls;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(polls).toBe(pollsAtEnd);
    expect(screen.queryByRole('button', { name: 'Cancel installation' })).not.toBeInTheDocument();
  }, 15_000);

  it('on failure shows OVH message, meaning and remedy, and Edit and retry restores the values but not secrets', async () => {
    saveForm(SN, {
      imageURL: 'https://images.example.com/a.qcow2',
      imageType: 'qcow2',
      imageCheckSum: 'b'.repeat(64),
      imageCheckSumType: 'sha256',
      httpHeaders: [{ name: 'Authorization', value: 'Bearer s3cret' }],
      configDriveMetadata: [],
    });
    mockApi({ [`GET /api/servers/${SN}/install`]: () => ({ body: failedProgress }) });
    const { user, router } = renderApp(PROGRESS);
    const failure = await screen.findByRole('alert');
    const entry = explainUpstreamMessage(MISMATCH);
    expect(failure).toHaveTextContent('Installation failed');
    expect(failure).toHaveTextContent(MISMATCH);
    expect(failure).toHaveTextContent(entry.meaning);
    expect(failure).toHaveTextContent(entry.remedy);

    await user.click(screen.getByRole('button', { name: 'Edit and retry' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/servers/${SN}/install/configure`),
    );
    expect(await screen.findByLabelText('Image URL')).toHaveValue(
      'https://images.example.com/a.qcow2',
    );
    expect(screen.getByLabelText('Image checksum')).toHaveValue('b'.repeat(64));
    expect(screen.getByLabelText('HTTP header name')).toHaveValue('Authorization');
    expect(screen.getByLabelText('HTTP header value')).toHaveValue('');
    expect(screen.getByText(/except HTTP header values/)).toBeInTheDocument();
  });

  it('gives a viewer the progress but no Cancel installation', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      [`GET /api/servers/${SN}/install`]: () => ({ body: runningProgress }),
    });
    renderApp(PROGRESS);
    expect(await screen.findByText('Checking the image')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel installation' })).not.toBeInTheDocument();
  });
});
