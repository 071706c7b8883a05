import type {
  InstallProgressDto,
  ServerDetailResponse,
  ServerListResponse,
  SubmittedInstallDto,
} from '@byoi/shared';
import { explainUpstreamMessage } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serverKeys } from '../../data/servers/keys.ts';
import { mockApi, serverDetail, SN, viewerSession } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { dataLossSentence } from '../../ui/words.ts';
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
    // The remedy's `backticks` are code, not characters.
    expect(failure).toHaveTextContent(entry.remedy.replaceAll('`', ''));

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

const submitted: SubmittedInstallDto = {
  taskId: 7,
  route: 'reinstall',
  submittedAt: '2026-11-26T01:00:00.000Z',
  imageURL: 'https://images.example.com/debian-12.qcow2?X-Amz-Signature=&X-Amz-Expires=',
  imageType: 'qcow2',
  imageCheckSum: 'c'.repeat(64),
  imageCheckSumType: 'sha256',
  customHostname: null,
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
  configDrive: null,
};

const DONE_AT = '2026-11-26T01:09:30.000Z';
const doneWithFacts: InstallProgressDto = {
  ...doneProgress,
  task: { ...task, status: 'done', doneDate: DONE_AT },
  submitted,
};

/** The definition next to a term. */
function fact(term: string): HTMLElement {
  const found = screen.getAllByRole('term').find((t) => t.textContent === term);
  if (!found?.nextElementSibling) throw new Error(`no term "${term}"`);
  return found.nextElementSibling as HTMLElement;
}

describe('a failed installation', () => {
  it("is critical, red and says OVH's message first, then what it means and how to fix it", async () => {
    mockApi({ [`GET /api/servers/${SN}/install`]: () => ({ body: failedProgress }) });
    renderApp(PROGRESS);
    const failure = await screen.findByRole('alert');
    // ODS's critical message, not a white box; the bar turns red too.
    expect(failure.className).toMatch(/critical/);
    expect(screen.getByLabelText('Installation progress')).toHaveClass('progress-bar--critical');
    const terms = within(failure)
      .getAllByRole('term')
      .map((t) => t.textContent);
    expect(terms).toEqual(["OVH's message", 'What it means', 'How to fix it']);
    expect(fact("OVH's message")).toHaveTextContent(MISMATCH);
    const text = failure.textContent ?? '';
    const entry = explainUpstreamMessage(MISMATCH);
    expect(text.indexOf(MISMATCH)).toBeLessThan(text.indexOf(entry.meaning));
    expect(within(fact('How to fix it')).getByText('sha256sum image').tagName).toBe('CODE');
    expect(text).not.toContain('`');
  });
});

describe('a finished installation', () => {
  it('lists what was installed and when, in the locale, with no Config Drive claim when none', async () => {
    mockApi({ [`GET /api/servers/${SN}/install`]: () => ({ body: doneWithFacts }) });
    renderApp(PROGRESS);
    expect(await screen.findByRole('heading', { name: 'What was installed' })).toBeInTheDocument();
    expect(fact('Image')).toHaveTextContent(submitted.imageURL);
    expect(fact('Image')).toHaveTextContent('Query values hidden');
    expect(fact('Image type')).toHaveTextContent('qcow2');
    expect(fact('Checksum')).toHaveTextContent(`sha256 ${'c'.repeat(64)}`);
    expect(fact('Hostname')).toHaveTextContent('Not set');
    expect(fact('Sent as')).toHaveTextContent(`POST /dedicated/server/${SN}/reinstall · task 7`);
    expect(fact('Finished')).toHaveTextContent(formatDateTime(DONE_AT));
    expect(fact('Finished')).not.toHaveTextContent(DONE_AT);
    expect(fact('Config Drive')).toHaveTextContent('None: no Config Drive was built');
    expect(screen.getByText(/Installation complete/).closest('div')).toHaveTextContent(
      `Installation complete. ${SN} boots your image.`,
    );
    expect(document.body).not.toHaveTextContent(/cloud-init applies/);
  });

  it('says cloud-init applies the Config Drive only when one was given', async () => {
    const withDrive: InstallProgressDto = {
      ...doneWithFacts,
      submitted: {
        ...submitted,
        customHostname: 'web-01.example.com',
        configDrive: { userData: true, metadataKeys: 2, sshKey: false },
      },
    };
    mockApi({ [`GET /api/servers/${SN}/install`]: () => ({ body: withDrive }) });
    renderApp(PROGRESS);
    expect(await screen.findByText(/cloud-init applies the Config Drive/)).toBeInTheDocument();
    expect(fact('Config Drive')).toHaveTextContent('User data, 2 metadata keys and the hostname');
    expect(fact('Hostname')).toHaveTextContent('web-01.example.com');
  });

  it('says it cannot tell what was installed when this console did not start it', async () => {
    mockApi({
      [`GET /api/servers/${SN}/install`]: () => ({
        body: { ...doneProgress, task: { ...task, status: 'done', doneDate: DONE_AT } },
      }),
    });
    renderApp(PROGRESS);
    expect(await screen.findByText(/did not start this installation/)).toHaveTextContent(
      `It finished ${formatDateTime(DONE_AT)}.`,
    );
    expect(document.body).not.toHaveTextContent(/Config Drive/);
  });

  it('writes the end into the server page and the list at once, and has both read again', async () => {
    const running: ServerDetailResponse = {
      ...serverDetail,
      server: { ...serverDetail.server, installing: true },
      install: runningProgress,
    };
    let detailReads = 0;
    mockApi({
      // The first read says running; the next one never answers, so what the server page then
      // shows is what the progress page wrote into its cache.
      [`GET /api/servers/${SN}`]: () => {
        detailReads += 1;
        return detailReads === 1 ? { body: running } : new Promise<undefined>(() => undefined);
      },
      [`GET /api/servers/${SN}/install`]: () => ({ body: doneWithFacts }),
    });
    const { router, queryClient, user } = renderApp(`/servers/${SN}`);
    expect(await screen.findByText(/Install is unavailable/)).toBeInTheDocument();
    const list: ServerListResponse = {
      items: [{ ...running.server }],
      total: 1,
      page: 1,
      pageSize: 50,
      search: '',
      sort: 'name',
      order: 'asc',
    };
    const listKey = serverKeys.list({
      page: 1,
      pageSize: 50,
      search: '',
      sort: 'name',
      order: 'asc',
    });
    queryClient.setQueryData(listKey, list);

    await router.navigate(PROGRESS);
    expect(await screen.findByText(/Installation complete/)).toBeInTheDocument();
    await waitFor(() =>
      expect(
        queryClient.getQueryData<ServerDetailResponse>(serverKeys.detail(SN))?.install.state,
      ).toBe('done'),
    );
    expect(
      queryClient.getQueryData<ServerDetailResponse>(serverKeys.detail(SN))?.server.installing,
    ).toBe(false);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);

    // Straight to the server page: Install is there again, without waiting for any read.
    await router.navigate(`/servers/${SN}`);
    expect(await screen.findByRole('tab', { name: 'General information' })).toBeInTheDocument();
    expect(await screen.findByText('Installation complete')).toBeInTheDocument();
    expect(screen.queryByText(/Install is unavailable/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '…' }));
    expect(await screen.findByRole('menuitem', { name: 'Install' })).not.toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(detailReads).toBe(2);
  });
});

describe('Cancel installation', () => {
  it('asks first, naming the server, and cancels only on "Cancel installation"', async () => {
    const { calls } = mockApi({
      [`GET /api/servers/${SN}/install`]: () => ({ body: runningProgress }),
      [`POST /api/servers/${SN}/install/cancel`]: () => ({
        body: { ...runningProgress, state: 'cancelled' },
      }),
    });
    const { user } = renderApp(PROGRESS);
    const cancels = () => calls.filter((c) => c.method === 'POST').length;

    await user.click(await screen.findByRole('button', { name: 'Cancel installation' }));
    const dialog = await screen.findByRole('dialog', { name: `Cancel the installation on ${SN}?` });
    expect(dialog).toHaveTextContent(dataLossSentence(SN));
    expect(cancels()).toBe(0);

    await user.click(within(dialog).getByRole('button', { name: 'Keep installing' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(cancels()).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Cancel installation' }));
    const again = await screen.findByRole('dialog');
    await user.click(within(again).getByRole('button', { name: 'Cancel installation' }));
    await waitFor(() => expect(cancels()).toBe(1));
    expect(calls.find((c) => c.method === 'POST')?.path).toBe(`/api/servers/${SN}/install/cancel`);
  });
});
