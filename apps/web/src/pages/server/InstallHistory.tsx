import type { InstallHistoryEntryDto } from '@byoi/shared';
import { Button, Icon, Table } from '@ovhcloud/ods-react';
import { useNavigate } from 'react-router';
import { HISTORY_PAGE_SIZE, useInstallHistory } from '../../data/installs/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { InstallOutcomeBadge } from '../../ui/InstallOutcomeBadge.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { Sha256 } from '../../ui/Sha256.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { OlderPages } from '../../ui/OlderPages.tsx';
import './history.css';

const REINSTALL_FROM_HISTORY = 'Reinstall with the same image';
const HISTORY_RUNNING_REASON =
  'An installation is running on this server: reinstall once it has ended.';

const ROUTE_LABEL: Record<InstallHistoryEntryDto['route'], string> = {
  reinstall: 'reinstall',
  'install-start': 'install/start',
};

function durationOf(entry: InstallHistoryEntryDto): string {
  if (entry.durationSeconds !== null) return formatDuration(entry.durationSeconds);
  return entry.outcome === 'running' ? 'Still running' : '—';
}

/** The image facts of one install: never a header value, user data only as its digest. */
function ImageCell({ entry }: { entry: InstallHistoryEntryDto }) {
  const { image, libraryImage } = entry;
  return (
    <>
      <span className="verbatim history__url">{image.imageURL}</span>
      {image.imageURLRedacted ? (
        <span className="cell-sub">Query values and credentials are not kept.</span>
      ) : null}
      <dl className="history__facts">
        <div>
          <dt>Type</dt>
          <dd>{image.imageType}</dd>
        </div>
        <div>
          <dt>Checksum</dt>
          <dd>
            {image.imageCheckSum ? (
              <>
                {image.imageCheckSumType} <Sha256 digest={image.imageCheckSum} />
              </>
            ) : (
              'None'
            )}
          </dd>
        </div>
        {image.efiBootloaderPath ? (
          <div>
            <dt>EFI</dt>
            <dd className="verbatim">{image.efiBootloaderPath}</dd>
          </div>
        ) : null}
        <div>
          <dt>Headers</dt>
          <dd>
            {image.httpHeaderNames.length > 0 ? (
              <span className="verbatim">{image.httpHeaderNames.join(', ')}</span>
            ) : (
              'None'
            )}
          </dd>
        </div>
        {image.customHostname ? (
          <div>
            <dt>Hostname</dt>
            <dd className="verbatim">{image.customHostname}</dd>
          </div>
        ) : null}
        <div>
          <dt>User data</dt>
          <dd>
            {image.configDriveUserDataSha256 ? (
              <>
                SHA-256 <Sha256 digest={image.configDriveUserDataSha256} />
              </>
            ) : (
              'None'
            )}
          </dd>
        </div>
        {libraryImage ? (
          <div>
            <dt>Library</dt>
            <dd>
              <RouterLink to={`/images/${encodeURIComponent(libraryImage.id)}`}>
                {libraryImage.name} v{libraryImage.version}
              </RouterLink>
            </dd>
          </div>
        ) : null}
      </dl>
    </>
  );
}

function ReinstallButton({
  sn,
  entry,
  running,
}: {
  sn: string;
  entry: InstallHistoryEntryDto;
  running: boolean;
}) {
  const navigate = useNavigate();
  const reasonId = `history-reason-${entry.id}`;
  const whenId = `history-when-${entry.id}`;
  return (
    <>
      <Button
        size="sm"
        variant="outline"
        disabled={running}
        aria-describedby={running ? `${reasonId} ${whenId}` : whenId}
        onClick={() => {
          // The wizard's own way in: its steps carry the reuse to the configuration page.
          const search = new URLSearchParams({ reuse: `install:${entry.id}` });
          void navigate(`/servers/${encodeURIComponent(sn)}/install/source?${search.toString()}`);
        }}
      >
        {REINSTALL_FROM_HISTORY}
      </Button>
      {running ? (
        <span className="cell-sub" id={reasonId}>
          {HISTORY_RUNNING_REASON}
        </span>
      ) : null}
    </>
  );
}

/**
 * The server page's Install history tab: every install this console started on the server, newest
 * first, with who started it, how it ended (OVH's message for a failure) and what it installed.
 */
export function InstallHistory({ sn, installRunning }: { sn: string; installRunning: boolean }) {
  const history = useInstallHistory(sn);
  const canOperate = useCanOperate();
  const entries = history.data?.pages.flatMap((page) => page.entries) ?? [];
  const running = installRunning || entries.some((entry) => entry.outcome === 'running');
  const columns = canOperate ? 6 : 5;

  return (
    <section className="history" aria-labelledby="history-title">
      <div className="toolbar">
        <div>
          <h2 id="history-title" className="history__title">
            Install history
          </h2>
          <p className="muted history__lead">
            Every install this console started on {sn}, newest first. HTTP header values are never
            kept; user data only as its SHA-256.
          </p>
        </div>
        <Button
          variant="outline"
          size="sm"
          loading={history.isFetching && !history.isFetchingNextPage}
          disabled={history.isFetching}
          onClick={() => void history.refetch()}
        >
          <Icon name="refresh" /> Refresh
        </Button>
      </div>
      {history.isError ? (
        <ErrorMessage error={history.error} title="Could not read the install history." />
      ) : null}
      {history.data && entries.length === 0 ? (
        <p className="history__empty">
          No install yet. Each install started from this console on {sn} will appear here: when and
          by whom, the image it was given, how it ended with OVH&apos;s message, and how long it
          took.
        </p>
      ) : (
        <div className="table-wrap history__frame">
          <Table
            aria-label="Install history"
            aria-busy={history.isFetching}
            className="stack-table history-table"
          >
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Outcome</th>
                <th scope="col">Image</th>
                <th scope="col">OVH task</th>
                {canOperate ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {history.isPending ? <SkeletonRows rows={3} columns={columns} /> : null}
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td data-label="When" className="nowrap">
                    <time dateTime={entry.submittedAt} id={`history-when-${entry.id}`}>
                      {formatDateTime(entry.submittedAt)}
                    </time>
                    <span className="cell-sub">Duration {durationOf(entry)}</span>
                  </td>
                  <td data-label="Who" className="nowrap">
                    {entry.user ?? <span className="muted">unknown</span>}
                  </td>
                  <td data-label="Outcome" className="history__outcome">
                    <InstallOutcomeBadge outcome={entry.outcome} />
                    {entry.message ? (
                      <span className="history__message">
                        OVH: <span className="verbatim">{entry.message}</span>
                      </span>
                    ) : null}
                  </td>
                  <td data-label="Image" className="history__image">
                    <ImageCell entry={entry} />
                  </td>
                  <td data-label="OVH task" className="nowrap">
                    <span className="verbatim">{entry.taskId}</span>
                    <span className="cell-sub">{ROUTE_LABEL[entry.route]} route</span>
                  </td>
                  {canOperate ? (
                    <td className="history__action">
                      <ReinstallButton sn={sn} entry={entry} running={running} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      <OlderPages
        label="Install history pages"
        shown={entries.length}
        noun="install"
        pageSize={HISTORY_PAGE_SIZE}
        query={history}
      />
    </section>
  );
}
