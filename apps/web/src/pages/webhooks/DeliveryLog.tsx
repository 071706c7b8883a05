import type { WebhookDeliveryDto, WebhookDto } from '@byoi/shared';
import { Badge, Button, Icon, Table } from '@ovhcloud/ods-react';
import { useDeliveries } from '../../data/webhooks/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';

const STATE: Record<
  WebhookDeliveryDto['state'],
  { label: string; color: 'information' | 'success' | 'critical' | 'warning' }
> = {
  pending: { label: 'Pending', color: 'information' },
  delivered: { label: 'Delivered', color: 'success' },
  failed: { label: 'Failed', color: 'critical' },
  refused: { label: 'Refused', color: 'warning' },
};

export function DeliveryStateBadge({ state }: { state: WebhookDeliveryDto['state'] }) {
  return <Badge color={STATE[state].color}>{STATE[state].label}</Badge>;
}

/** The latest calls to one webhook: each attempt's answer (or error) and how long it took. */
export function DeliveryLog({ webhook, onClose }: { webhook: WebhookDto; onClose: () => void }) {
  const deliveries = useDeliveries(webhook.id);
  const list = deliveries.data ?? [];
  const titleId = `deliveries-${webhook.id}`;
  return (
    <section className="form-section webhook-deliveries" aria-labelledby={titleId}>
      <div className="toolbar">
        <h2 id={titleId}>Deliveries to {webhook.url}</h2>
        <div className="webhook-deliveries__actions">
          <Button
            size="sm"
            variant="outline"
            loading={deliveries.isFetching}
            disabled={deliveries.isFetching}
            onClick={() => void deliveries.refetch()}
          >
            <Icon name="refresh" /> Refresh
          </Button>
          <Button size="sm" variant="ghost" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
      {deliveries.isError ? (
        <ErrorMessage error={deliveries.error} title="Could not read the deliveries." />
      ) : null}
      {deliveries.data && list.length === 0 ? (
        <p>No delivery yet: the events it is told about appear here, with every attempt.</p>
      ) : (
        <div className="table-wrap">
          <Table aria-label={`Deliveries to ${webhook.url}`} className="stack-table webhook-table">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.isPending ? <SkeletonRows rows={3} columns={5} /> : null}
              {list.map((delivery) => (
                <tr key={delivery.id}>
                  <td data-label="Event" className="verbatim">
                    {delivery.event}
                  </td>
                  <td data-label="Created" className="nowrap">
                    <time dateTime={delivery.createdAt}>{formatDateTime(delivery.createdAt)}</time>
                  </td>
                  <td data-label="State">
                    <DeliveryStateBadge state={delivery.state} />
                  </td>
                  <td data-label="Attempts">
                    {delivery.attempts.length === 0 ? (
                      <span className="muted">None yet</span>
                    ) : (
                      <ol className="webhook-attempts">
                        {delivery.attempts.map((attempt) => (
                          <li key={attempt.attempt}>
                            #{attempt.attempt} {formatDateTime(attempt.at)}:{' '}
                            {attempt.status !== null ? `HTTP ${attempt.status}` : 'no answer'}
                            {attempt.error ? ` — ${attempt.error}` : ''} ({attempt.durationMs} ms)
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                  <td data-label="Next attempt" className="nowrap">
                    {delivery.nextAttemptAt ? (
                      <time dateTime={delivery.nextAttemptAt}>
                        {formatDateTime(delivery.nextAttemptAt)}
                      </time>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </section>
  );
}
