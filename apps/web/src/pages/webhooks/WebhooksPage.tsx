import { WEBHOOK_EVENT_TYPES } from '@byoi/shared';
import type { WebhookDto } from '@byoi/shared';
import { Badge, Button, Table } from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useCanOperate } from '../../data/session/hooks.ts';
import { useDeleteWebhook, useUpdateWebhook, useWebhooks } from '../../data/webhooks/hooks.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { AddWebhookForm } from './AddWebhookForm.tsx';
import { DeliveryLog, DeliveryStateBadge } from './DeliveryLog.tsx';
import { EventsDialog } from './EventsDialog.tsx';
import { SecretDialog } from './SecretDialog.tsx';
import './webhooks.css';

function EventsCell({ events }: { events: WebhookDto['events'] }) {
  if (WEBHOOK_EVENT_TYPES.every((event) => events.includes(event))) return <>All events</>;
  return <span className="verbatim">{events.join(', ')}</span>;
}

/** The webhooks the console calls, their last delivery, and (for operators) their controls. */
export default function WebhooksPage() {
  const canOperate = useCanOperate();
  const webhooks = useWebhooks();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<WebhookDto | null>(null);
  const [editing, setEditing] = useState<WebhookDto | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const list = webhooks.data ?? [];
  const logged = list.find((hook) => hook.id === logOf);
  const columns = canOperate ? 6 : 5;

  useEffect(() => {
    document.title = 'Webhooks · BYOI Console';
  }, []);

  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Dedicated servers', to: '/servers' }, { label: 'Webhooks' }]}
      />
      <h1 className="page-title">Webhooks</h1>
      <p className="page-lead">
        Addresses the console calls when a rollout starts, passes its canaries, pauses, fails, ends
        or is aborted, and when a single install ends.
        {canOperate ? '' : ' Operators add and change them; you can read them.'}
      </p>
      {canOperate ? (
        <AddWebhookForm onCreated={(url, secret) => setCreated({ url, secret })} />
      ) : null}
      {webhooks.isError ? (
        <ErrorMessage error={webhooks.error} title="Could not read the webhooks." />
      ) : null}
      {update.isError && editing === null ? (
        <ErrorMessage error={update.error} title="The webhook was not changed." />
      ) : null}
      {webhooks.data && list.length === 0 ? (
        <p className="empty-state">No webhook yet: the console calls no one.</p>
      ) : (
        <div className="table-wrap">
          <Table
            aria-label="Webhooks"
            aria-busy={webhooks.isFetching}
            className="stack-table webhook-table"
          >
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">Last delivery</th>
                <th scope="col">Created</th>
                {canOperate ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {webhooks.isPending ? <SkeletonRows rows={2} columns={columns} /> : null}
              {list.map((hook) => (
                <tr key={hook.id}>
                  <td data-label="URL" className="webhook-url">
                    <span className="verbatim">{hook.url}</span>
                    {hook.description ? <span className="cell-sub">{hook.description}</span> : null}
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-expanded={logOf === hook.id}
                      onClick={() => setLogOf(logOf === hook.id ? null : hook.id)}
                    >
                      Delivery log
                    </Button>
                  </td>
                  <td data-label="Events">
                    <EventsCell events={hook.events} />
                  </td>
                  <td data-label="State">
                    {hook.enabled ? (
                      <Badge color="success">Enabled</Badge>
                    ) : (
                      <Badge color="neutral">Disabled</Badge>
                    )}
                  </td>
                  <td data-label="Last delivery">
                    {hook.lastDelivery ? (
                      <>
                        <DeliveryStateBadge state={hook.lastDelivery.state} />
                        <span className="cell-sub">
                          {formatDateTime(hook.lastDelivery.at)}
                          {hook.lastDelivery.status !== null
                            ? ` · HTTP ${hook.lastDelivery.status}`
                            : ''}
                        </span>
                      </>
                    ) : (
                      <span className="muted">Never called</span>
                    )}
                  </td>
                  <td data-label="Created">
                    <time dateTime={hook.createdAt}>{formatDateTime(hook.createdAt)}</time>
                    <span className="cell-sub">by {hook.createdBy ?? 'unknown'}</span>
                  </td>
                  {canOperate ? (
                    <td>
                      <div className="webhook-actions">
                        <Button
                          size="sm"
                          variant="outline"
                          aria-label={`${hook.enabled ? 'Disable' : 'Enable'} ${hook.url}`}
                          disabled={update.isPending}
                          onClick={() =>
                            update.mutate({ id: hook.id, request: { enabled: !hook.enabled } })
                          }
                        >
                          {hook.enabled ? 'Disable' : 'Enable'}
                        </Button>
                        <Button
                          size="sm"
                          variant="outline"
                          aria-label={`Change the events of ${hook.url}`}
                          onClick={() => {
                            update.reset();
                            setEditing(hook);
                          }}
                        >
                          Events
                        </Button>
                        <Button
                          size="sm"
                          variant="outline"
                          color="critical"
                          aria-label={`Delete ${hook.url}`}
                          onClick={() => {
                            remove.reset();
                            setDeleting(hook);
                          }}
                        >
                          Delete
                        </Button>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      {logged ? <DeliveryLog webhook={logged} onClose={() => setLogOf(null)} /> : null}
      <SecretDialog
        url={created?.url ?? ''}
        secret={created?.secret ?? null}
        onClose={() => setCreated(null)}
      />
      {editing ? (
        <EventsDialog
          webhook={editing}
          pending={update.isPending}
          error={update.isError ? update.error : null}
          onClose={() => {
            update.reset();
            setEditing(null);
          }}
          onSave={(events) =>
            update.mutate(
              { id: editing.id, request: { events } },
              { onSuccess: () => setEditing(null) },
            )
          }
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.url ?? 'the webhook'}?`}
        keepLabel="Keep the webhook"
        confirmLabel="Delete"
        pending={remove.isPending}
        problem={
          remove.isError ? (
            <ErrorMessage error={remove.error} title="The webhook was not deleted." />
          ) : null
        }
        onKeep={() => setDeleting(null)}
        onConfirm={() => {
          if (deleting === null) return;
          remove.mutate(deleting.id, {
            onSuccess: () => {
              if (logOf === deleting.id) setLogOf(null);
              setDeleting(null);
            },
          });
        }}
      >
        The console stops calling it at once, and its delivery log goes with it. Its secret cannot
        be used again: a new webhook gets a new one.
      </ConfirmDialog>
    </>
  );
}
