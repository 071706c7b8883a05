import type { RolloutSummaryDto } from '@byoi/shared';
import { Icon, Table } from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { ROLLOUT_PAGE_SIZE, useRollouts } from '../../data/rollouts/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RolloutStateBadge } from '../../ui/RolloutStateBadge.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { OlderPages } from '../../ui/OlderPages.tsx';
import './rollouts.css';

const COLUMN_COUNT = 5;

function ImageCell({ image }: { image: RolloutSummaryDto['image'] }) {
  return image.libraryImage ? (
    <>
      {image.libraryImage.name} v{image.libraryImage.version}
      <span className="cell-sub verbatim">{image.imageURL}</span>
    </>
  ) : (
    <span className="verbatim">{image.imageURL}</span>
  );
}

/** The servers a rollout did not install, besides the failed ones: "1 blocked, 2 skipped". */
function notInstalled(counts: RolloutSummaryDto['counts']): string | null {
  const parts = (['blocked', 'skipped', 'cancelled'] as const)
    .filter((state) => counts[state] > 0)
    .map((state) => `${counts[state]} ${state}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** Every rollout, newest first: how far it got, who planned it, which image. */
export default function RolloutsPage() {
  const canOperate = useCanOperate();
  const rollouts = useRollouts();
  const list = rollouts.data?.pages.flatMap((page) => page.rollouts) ?? [];

  useEffect(() => {
    document.title = 'Rollouts · BYOI Console';
  }, []);

  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Dedicated servers', to: '/servers' }, { label: 'Rollouts' }]}
      />
      <div className="toolbar rollouts-toolbar">
        <div>
          <h1 className="page-title">Rollouts</h1>
          <p className="page-lead">
            Reinstalls of many servers with one image, in waves: canaries first, then batches.
            {canOperate ? '' : ' Operators plan and start them; you can follow them.'}
          </p>
        </div>
        {canOperate ? (
          <RouterLink to="/rollouts/new" className="start-link">
            <Icon name="plus" aria-hidden="true" /> New rollout
          </RouterLink>
        ) : null}
      </div>
      {rollouts.isError ? (
        <ErrorMessage error={rollouts.error} title="Could not read the rollouts." />
      ) : null}
      {rollouts.data && list.length === 0 ? (
        <p className="empty-state">
          No rollout yet.{' '}
          {canOperate
            ? 'Select servers in the server list and choose Reinstall selected, or start a New rollout.'
            : 'The rollouts operators plan appear here.'}
        </p>
      ) : (
        <div className="table-wrap">
          <Table
            aria-label="Rollouts"
            aria-busy={rollouts.isFetching}
            className="stack-table rollouts-table"
          >
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Servers</th>
                <th scope="col">Created</th>
                <th scope="col">Image</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.isPending ? <SkeletonRows rows={3} columns={COLUMN_COUNT} /> : null}
              {list.map((rollout) => (
                <tr key={rollout.id}>
                  <td data-label="Name" className="cell-name">
                    <RouterLink to={`/rollouts/${encodeURIComponent(rollout.id)}`}>
                      {rollout.name}
                    </RouterLink>
                  </td>
                  <td data-label="State">
                    <RolloutStateBadge state={rollout.state} />
                  </td>
                  <td data-label="Servers" className="nowrap">
                    {rollout.counts.done}/{rollout.counts.total} done
                    {rollout.counts.failed > 0 ? (
                      <span className="cell-sub rollouts-failed">
                        {rollout.counts.failed} failed
                      </span>
                    ) : null}
                    {notInstalled(rollout.counts) ? (
                      <span className="cell-sub">{notInstalled(rollout.counts)}</span>
                    ) : null}
                  </td>
                  <td data-label="Created">
                    <time dateTime={rollout.createdAt}>{formatDateTime(rollout.createdAt)}</time>
                    <span className="cell-sub">by {rollout.createdBy ?? 'unknown'}</span>
                  </td>
                  <td data-label="Image" className="rollouts-image">
                    <ImageCell image={rollout.image} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      <OlderPages
        label="Rollout pages"
        shown={list.length}
        noun="rollout"
        pageSize={ROLLOUT_PAGE_SIZE}
        query={rollouts}
      />
    </>
  );
}
