import { INSTALL_START_NOTICE, TERRAFORM_STATE_WARNING } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meta, mockApi, SN } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';

const CONFIGURE = `/servers/${SN}/install/configure`;
const SECRET = 'Bearer s3cret-t0ken';
const EFI = '\\efi\\debian\\grubx64.efi';

const SNIPPETS = [
  { tab: 'HTTP request', label: 'HTTP request snippet', sample: `POST /dedicated/server/${SN}/` },
  { tab: 'node-ovh', label: 'node-ovh snippet', sample: "ovh.requestPromised('POST'" },
  { tab: 'python-ovh', label: 'python-ovh snippet', sample: 'client.post(' },
  { tab: 'ovhcloud CLI', label: 'ovhcloud CLI snippet', sample: 'ovhcloud baremetal reinstall' },
  { tab: 'Terraform', label: 'Terraform snippet', sample: 'ovh_dedicated_server_reinstall_task' },
];

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** The form on the reinstall route against a real endpoint, filled in with a secret header. */
async function openReinstallPanel() {
  mockApi({
    'GET /api/meta': () => ({
      body: { ...meta, mode: 'real', endpoint: 'ovh-ca', installRoute: 'reinstall' },
    }),
  });
  const app = renderApp(CONFIGURE);
  const { user } = app;
  await user.type(await screen.findByLabelText('Image URL'), 'https://images.example.com/a.qcow2');
  await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
  // The form may be prefilled with the server's current path: set ours whatever it holds.
  await user.clear(screen.getByLabelText('EFI bootloader path'));
  await user.paste(EFI);
  await user.click(screen.getByRole('button', { name: 'Add HTTP header' }));
  await user.type(screen.getByLabelText('HTTP header name'), 'Authorization');
  await user.type(screen.getByLabelText('HTTP header value'), SECRET);
  await user.click(screen.getByText('Show API request'));
  const section = screen.getByRole('region', { name: 'API request' });
  await within(section).findByRole('tab', { name: 'Terraform' });
  return { ...app, section };
}

/** Selects a tab and waits until its panel is the one on screen. */
async function showTab(
  user: ReturnType<typeof renderApp>['user'],
  section: HTMLElement,
  name: string,
) {
  await user.click(within(section).getByRole('tab', { name }));
  const panel = await within(section).findByRole('tabpanel', { name });
  await waitFor(() => expect(within(section).getAllByRole('tabpanel')).toEqual([panel]));
  return panel;
}

describe('Show API request, reinstall route', () => {
  it('shows the reinstall path, the body and every equivalent, for the real endpoint', async () => {
    const { section } = await openReinstallPanel();
    expect(within(section).getByText(`/dedicated/server/${SN}/reinstall`)).toBeInTheDocument();
    expect(within(section).getByLabelText('Request body').textContent).toContain(
      '"operatingSystem": "byoi_64"',
    );
    expect(
      within(section)
        .getAllByRole('tab')
        .map((tab) => tab.textContent),
    ).toEqual(SNIPPETS.map((s) => s.tab));
    for (const { label, sample } of SNIPPETS) {
      expect(within(section).getByLabelText(label).textContent).toContain(sample);
    }
    expect(within(section).getByLabelText('node-ovh snippet').textContent).toContain(
      "endpoint: 'ovh-ca'",
    );
    expect(within(section).getByLabelText('ovhcloud CLI snippet').textContent).toContain(
      String.raw`--efi-bootloader-path '\efi\debian\grubx64.efi'`,
    );
    expect(within(section).queryByText(/only an example endpoint/)).not.toBeInTheDocument();
  });

  it('copies the snippet of the tab shown', async () => {
    const { section, user } = await openReinstallPanel();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    const panel = await showTab(user, section, 'Terraform');
    await user.click(within(panel).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(
      within(panel).getByLabelText('Terraform snippet').textContent,
    );
    expect(await within(panel).findByText('Copied to the clipboard.')).toBeVisible();
  });

  it('says so when the browser refuses the clipboard', async () => {
    const { section, user } = await openReinstallPanel();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    const panel = within(section).getByRole('tabpanel', { name: 'HTTP request' });
    await user.click(within(panel).getByRole('button', { name: 'Copy' }));
    expect(await within(panel).findByText(/The browser refused the clipboard/)).toBeVisible();
  });

  it('never shows nor copies the secret header value', async () => {
    const { section, user } = await openReinstallPanel();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    for (const { tab, label } of SNIPPETS) {
      const panel = await showTab(user, section, tab);
      const text = within(panel).getByLabelText(label).textContent;
      expect(text).not.toContain('s3cret');
      expect(text).toContain('Authorization');
      expect(text).toContain('••••••');
      await user.click(within(panel).getByRole('button', { name: 'Copy' }));
    }
    expect(writeText).toHaveBeenCalledTimes(SNIPPETS.length);
    for (const [copied] of writeText.mock.calls) expect(copied).not.toContain('s3cret');
    expect(section.textContent).not.toContain('s3cret');
    expect(
      within(section).getByText(/HTTP header values are masked \(••••••\) in every snippet/),
    ).toBeInTheDocument();
  });

  it('shows the Terraform state warning with the Terraform snippet', async () => {
    const { section, user } = await openReinstallPanel();
    expect(within(section).getByText(TERRAFORM_STATE_WARNING)).not.toBeVisible();
    const panel = await showTab(user, section, 'Terraform');
    expect(within(panel).getByText(TERRAFORM_STATE_WARNING)).toBeVisible();
    expect(within(panel).getByLabelText('Terraform snippet')).toBeVisible();
  });
});

describe('Show API request, install/start route', () => {
  it('offers the three equivalents that apply, says why not the others, and that OVH ended it', async () => {
    mockApi();
    const { user } = renderApp(CONFIGURE);
    await user.type(
      await screen.findByLabelText('Image URL'),
      'https://images.example.com/a.qcow2',
    );
    await user.selectOptions(screen.getByLabelText('Image type'), 'qcow2');
    await user.click(screen.getByText('Show API request'));
    const section = screen.getByRole('region', { name: 'API request' });
    expect(within(section).getByText(`/dedicated/server/${SN}/install/start`)).toBeInTheDocument();
    expect((await within(section).findAllByRole('tab')).map((tab) => tab.textContent)).toEqual([
      'HTTP request',
      'node-ovh',
      'python-ovh',
    ]);
    expect(within(section).queryByLabelText('Terraform snippet')).not.toBeInTheDocument();
    expect(within(section).queryByLabelText('ovhcloud CLI snippet')).not.toBeInTheDocument();
    expect(
      within(section).getByText(
        'ovhcloud CLI and Terraform only know the reinstall route: they have no equivalent of this request.',
      ),
    ).toBeInTheDocument();
    expect(within(section).getByText(INSTALL_START_NOTICE)).toBeInTheDocument();
    // The default mock runs against the simulator: the endpoint in the snippets is an example.
    expect(within(section).getByText(/only an example endpoint/)).toBeInTheDocument();
    expect(within(section).getByLabelText('python-ovh snippet').textContent).toContain(
      "endpoint='ovh-eu'",
    );
  });
});
