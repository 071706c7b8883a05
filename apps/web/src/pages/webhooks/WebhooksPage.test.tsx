import type { ApiErrorBody, CreateWebhookResponse, WebhookDto } from '@byoi/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, viewerSession } from '../../test/api.ts';
import type { RecordedCall } from '../../test/api.ts';
import { renderApp } from '../../test/render.tsx';
import { delivery, webhook } from '../../test/rollouts.ts';
import { formatDateTime } from '../../ui/format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const SECRET = 'whsec_5f1c0ffee8d2a4b6';
const listOf = (hooks: WebhookDto[]) => () => ({ body: { webhooks: hooks } });
const writes = (calls: RecordedCall[], method: string) => calls.filter((c) => c.method === method);
const table = () => screen.getByRole('table', { name: 'Webhooks' });
const addForm = () => screen.getByRole('form', { name: 'Add a webhook' });

describe('webhooks', () => {
  it('lists each webhook with its events, state and last delivery', async () => {
    mockApi({
      'GET /api/webhooks': listOf([
        webhook,
        {
          ...webhook,
          id: 'wh-2',
          url: 'https://b.example.com/',
          enabled: false,
          lastDelivery: null,
          events: [
            'rollout.started',
            'rollout.canary_passed',
            'rollout.canary_failed',
            'rollout.paused',
            'rollout.failed',
            'rollout.done',
            'rollout.aborted',
            'install.finished',
          ],
        },
      ]),
    });
    renderApp('/webhooks');
    await within(await screen.findByRole('table', { name: 'Webhooks' })).findByText(webhook.url);
    const [first, second] = within(table()).getAllByRole('row').slice(1);
    expect(first).toHaveTextContent('On-call chat');
    expect(first).toHaveTextContent('rollout.done, rollout.failed');
    expect(within(first!).getByText('Enabled')).toBeInTheDocument();
    expect(within(first!).getByText('Failed')).toBeInTheDocument();
    expect(first).toHaveTextContent(`${formatDateTime(webhook.lastDelivery!.at)} · HTTP 500`);
    expect(second).toHaveTextContent('All events');
    expect(within(second!).getByText('Disabled')).toBeInTheDocument();
    expect(second).toHaveTextContent('Never called');
    expect(
      within(second!).getByRole('button', { name: 'Enable https://b.example.com/' }),
    ).toBeInTheDocument();
    expect(within(first!).getAllByRole('cell')[0]).toHaveAttribute('data-label', 'URL');
  });

  it('adds a webhook and shows its secret once, with how to verify a call', async () => {
    let hooks: WebhookDto[] = [];
    const answer: CreateWebhookResponse = { webhook, secret: SECRET };
    const { calls } = mockApi({
      'GET /api/webhooks': () => ({ body: { webhooks: hooks } }),
      'POST /api/webhooks': () => {
        hooks = [webhook];
        return { status: 201, body: answer };
      },
    });
    const { user } = renderApp('/webhooks');
    expect(await screen.findByText(/No webhook yet/)).toBeInTheDocument();
    await user.type(within(addForm()).getByLabelText('URL'), webhook.url);
    await user.type(within(addForm()).getByLabelText('Description'), 'On-call chat');
    for (const event of [
      'rollout.started',
      'rollout.canary_passed',
      'rollout.canary_failed',
      'rollout.paused',
      'rollout.aborted',
      'install.finished',
    ]) {
      await user.click(
        within(addForm()).getByRole('checkbox', {
          name: new RegExp(`^${event.replace('.', '\\.')} `),
        }),
      );
    }
    await user.click(screen.getByRole('button', { name: 'Add the webhook' }));

    const dialog = await screen.findByRole('dialog', { name: 'The webhook’s signing secret' });
    expect(writes(calls, 'POST')[0]?.body).toEqual({
      url: webhook.url,
      description: 'On-call chat',
      events: ['rollout.failed', 'rollout.done'],
    });
    expect(within(dialog).getByLabelText('Signing secret')).toHaveTextContent(SECRET);
    expect(dialog).toHaveTextContent('Copy it now: it will not be shown again.');
    expect(dialog).toHaveTextContent('X-BYOI-Signature: v1=<hex>');
    expect(dialog).toHaveTextContent('HMAC-SHA256');
    expect(dialog).toHaveTextContent('${X-BYOI-Timestamp}.${body}');
    expect(
      within(dialog).getByRole('button', { name: 'Copy the signing secret' }),
    ).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'I have copied the secret' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await within(table()).findByText(webhook.url)).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
    // The form is empty again, ready for another.
    expect(within(addForm()).getByLabelText('URL')).toHaveValue('');
  });

  it('sends no events list when every event is ticked', async () => {
    const { calls } = mockApi({
      'GET /api/webhooks': listOf([]),
      'POST /api/webhooks': () => ({ status: 201, body: { webhook, secret: SECRET } }),
    });
    const { user } = renderApp('/webhooks');
    await user.type(
      await within(await screen.findByRole('form', { name: 'Add a webhook' })).findByLabelText(
        'URL',
      ),
      webhook.url,
    );
    await user.click(screen.getByRole('button', { name: 'Add the webhook' }));
    await screen.findByRole('dialog', { name: 'The webhook’s signing secret' });
    expect(writes(calls, 'POST')[0]?.body).toEqual({ url: webhook.url });
  });

  it('says what is wrong before sending, and shows the BFF’s refusal on the field', async () => {
    const body: ApiErrorBody = {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The webhook was refused.',
        details: {
          fieldErrors: { url: ['The console may not call 10.0.0.1: a private address.'] },
        },
      },
    };
    const { calls } = mockApi({
      'GET /api/webhooks': listOf([]),
      'POST /api/webhooks': () => ({ status: 400, body }),
    });
    const { user } = renderApp('/webhooks');
    const url = await within(
      await screen.findByRole('form', { name: 'Add a webhook' }),
    ).findByLabelText('URL');
    for (const box of within(addForm()).getAllByRole('checkbox')) await user.click(box);
    await user.click(screen.getByRole('button', { name: 'Add the webhook' }));
    await waitFor(() => expect(url).toHaveAccessibleDescription(/Enter the address to call/));
    expect(await within(addForm()).findByText(/Choose at least one event/)).toBeInTheDocument();
    expect(writes(calls, 'POST')).toHaveLength(0);

    await user.type(url, 'https://10.0.0.1/hook');
    await user.click(within(addForm()).getAllByRole('checkbox')[0]!);
    await user.click(screen.getByRole('button', { name: 'Add the webhook' }));
    await waitFor(() =>
      expect(url).toHaveAccessibleDescription(/The console may not call 10\.0\.0\.1/),
    );
    expect(screen.getByText('The webhook was refused.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('disables a webhook, changes its events and deletes it after asking', async () => {
    const { calls } = mockApi({
      'GET /api/webhooks': listOf([webhook]),
      'PATCH /api/webhooks/wh-1': () => ({ body: webhook }),
      'DELETE /api/webhooks/wh-1': () => ({ status: 204 }),
    });
    const { user } = renderApp('/webhooks');
    await user.click(await screen.findByRole('button', { name: `Disable ${webhook.url}` }));
    await waitFor(() => expect(writes(calls, 'PATCH')).toHaveLength(1));
    expect(writes(calls, 'PATCH')[0]?.body).toEqual({ enabled: false });

    await user.click(screen.getByRole('button', { name: `Change the events of ${webhook.url}` }));
    const events = await screen.findByRole('dialog', { name: `Events for ${webhook.url}` });
    expect(within(events).getByRole('checkbox', { name: /^rollout\.done / })).toBeChecked();
    expect(within(events).getByRole('checkbox', { name: /^install\.finished / })).not.toBeChecked();
    await user.click(within(events).getByRole('checkbox', { name: /^rollout\.failed / }));
    await user.click(within(events).getByRole('checkbox', { name: /^install\.finished / }));
    await user.click(within(events).getByRole('button', { name: 'Save the events' }));
    await waitFor(() => expect(writes(calls, 'PATCH')).toHaveLength(2));
    expect(writes(calls, 'PATCH')[1]?.body).toEqual({
      events: ['rollout.done', 'install.finished'],
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: `Delete ${webhook.url}` }));
    const confirm = await screen.findByRole('dialog', { name: `Delete ${webhook.url}?` });
    expect(writes(calls, 'DELETE')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(writes(calls, 'DELETE')).toHaveLength(1));
    expect(writes(calls, 'DELETE')[0]?.path).toBe('/api/webhooks/wh-1');
  });

  it('shows a webhook’s delivery log: each attempt, its answer and how long it took', async () => {
    const { calls } = mockApi({
      'GET /api/webhooks': listOf([webhook]),
      'GET /api/webhooks/wh-1/deliveries': () => ({ body: { deliveries: [delivery] } }),
    });
    const { user } = renderApp('/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Delivery log' }));
    const log = await screen.findByRole('table', { name: `Deliveries to ${webhook.url}` });
    const row = (await within(log).findAllByRole('row'))[1]!;
    expect(calls.some((c) => c.path === '/api/webhooks/wh-1/deliveries')).toBe(true);
    expect(row).toHaveTextContent('rollout.failed');
    expect(row).toHaveTextContent(formatDateTime(delivery.createdAt));
    expect(within(row).getByText('Failed')).toBeInTheDocument();
    expect(row).toHaveTextContent(
      `#1 ${formatDateTime(delivery.attempts[0]!.at)}: HTTP 500 (120 ms)`,
    );
    expect(row).toHaveTextContent('#2');
    expect(row).toHaveTextContent('no answer — timed out after 10 s (10000 ms)');
    expect(row).toHaveTextContent(formatDateTime(delivery.nextAttemptAt!));
  });

  it('lets a viewer read the webhooks and their deliveries, not change them', async () => {
    mockApi({
      'GET /api/session': () => ({ body: viewerSession }),
      'GET /api/webhooks': listOf([webhook]),
      'GET /api/webhooks/wh-1/deliveries': () => ({ body: { deliveries: [] } }),
    });
    const { user } = renderApp('/webhooks');
    await within(await screen.findByRole('table', { name: 'Webhooks' })).findByText(webhook.url);
    expect(screen.queryByRole('form', { name: 'Add a webhook' })).not.toBeInTheDocument();
    for (const name of [/^Disable/, /^Change the events/, /^Delete/]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    await user.click(screen.getByRole('button', { name: 'Delivery log' }));
    expect(await screen.findByText(/No delivery yet/)).toBeInTheDocument();
  });
});
