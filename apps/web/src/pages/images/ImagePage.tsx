import type { LibraryImageInstallsResponse } from '@byoi/shared';
import {
  Button,
  Icon,
  Message,
  MessageBody,
  MessageIcon,
  Skeleton,
  Table,
} from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useArchiveImage, useImage, useImageInstalls } from '../../data/images/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { InstallOutcomeBadge } from '../../ui/InstallOutcomeBadge.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { ArchiveImageDialog } from './ArchiveImageDialog.tsx';
import { EditImageForm } from './EditImageForm.tsx';
import { InstallImageDialog } from './InstallImageDialog.tsx';
import { NewVersionForm } from './NewVersionForm.tsx';
import { VersionFacts, VersionsTable } from './VersionFacts.tsx';
import './images.css';

type Editing = 'none' | 'details' | 'version';

/** "Where is it installed": the latest install of the image on each server, from the history. */
function InstalledOn({ installs }: { installs: LibraryImageInstallsResponse['servers'] }) {
  if (installs.length === 0) {
    return (
      <p className="empty-state">
        Not installed yet. Each server installed from this image appears here, with the version and
        how its latest install from the library ended.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <Table aria-label="Where it is installed" className="stack-table">
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Version</th>
            <th scope="col">Installed</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {installs.map((install) => (
            <tr key={install.server}>
              <td data-label="Server" className="mono-cell">
                <RouterLink to={`/servers/${encodeURIComponent(install.server)}?tab=history`}>
                  {install.server}
                </RouterLink>
              </td>
              <td data-label="Version">v{install.version}</td>
              <td data-label="Installed" className="nowrap">
                <time dateTime={install.submittedAt}>{formatDateTime(install.submittedAt)}</time>
              </td>
              <td data-label="Outcome">
                <InstallOutcomeBadge outcome={install.outcome} />
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}

export default function ImagePage() {
  const id = useParams().id ?? '';
  const navigate = useNavigate();
  const canOperate = useCanOperate();
  const image = useImage(id);
  const installs = useImageInstalls(id);
  const archive = useArchiveImage(id);
  const [editing, setEditing] = useState<Editing>('none');
  const [added, setAdded] = useState<number | null>(null);
  const [archiving, setArchiving] = useState(false);
  const [installVersion, setInstallVersion] = useState<number | null>(null);
  const detail = image.data;
  const name = detail?.image.name ?? 'Image';

  useEffect(() => {
    document.title = `${name} · Images · BYOI Console`;
  }, [name]);

  return (
    <>
      <PageBreadcrumb items={[{ label: 'Images', to: '/images' }, { label: name }]} />
      <h1 className="page-title">{name}</h1>
      {image.isError ? (
        <ErrorMessage error={image.error} title="Could not read this image." />
      ) : null}
      {image.isPending ? <Skeleton /> : null}
      {detail ? (
        <>
          <p className="page-lead">
            {detail.image.notes || 'No notes.'}{' '}
            <span className="muted">
              {detail.image.versionCount} version{detail.image.versionCount === 1 ? '' : 's'} ·
              added {formatDateTime(detail.image.createdAt)}
              {detail.image.createdBy ? ` by ${detail.image.createdBy}` : ''} · updated{' '}
              {formatDateTime(detail.image.updatedAt)}
            </span>
          </p>
          {canOperate ? (
            <div className="library-actions">
              <Button onClick={() => setInstallVersion(detail.image.latest.version)}>
                <Icon name="server" /> Install this image
              </Button>
              <Button
                variant="outline"
                disabled={editing === 'version'}
                onClick={() => {
                  setAdded(null);
                  setEditing('version');
                }}
              >
                <Icon name="plus" /> New version
              </Button>
              <Button
                variant="outline"
                disabled={editing === 'details'}
                onClick={() => setEditing('details')}
              >
                <Icon name="pen" /> Edit name and notes
              </Button>
              <Button variant="outline" color="critical" onClick={() => setArchiving(true)}>
                <Icon name="trash" /> Archive
              </Button>
            </div>
          ) : (
            <p className="field-hint">
              Your role is viewer: installing and changing library images need the operator role.
            </p>
          )}
          {added !== null ? (
            <Message color="success" dismissible={false} className="page-message">
              <MessageIcon name="circle-check" />
              <MessageBody>Version {added} added: it is now the latest.</MessageBody>
            </Message>
          ) : null}
          {editing === 'details' ? (
            <EditImageForm image={detail.image} onDone={() => setEditing('none')} />
          ) : null}
          {editing === 'version' ? (
            <NewVersionForm
              image={detail.image}
              onDone={(version) => {
                setEditing('none');
                setAdded(version);
              }}
            />
          ) : null}
          <section className="form-section" aria-labelledby="latest-title">
            <h2 id="latest-title">Latest version: v{detail.image.latest.version}</h2>
            <VersionFacts version={detail.image.latest} />
          </section>
          <section className="form-section" aria-labelledby="versions-title">
            <h2 id="versions-title">All versions</h2>
            <p>Newest first. A version is never changed: a change is a new version.</p>
            <VersionsTable
              versions={detail.versions}
              onInstall={canOperate ? (version) => setInstallVersion(version) : undefined}
            />
          </section>
          <section className="form-section" aria-labelledby="installed-title">
            <h2 id="installed-title">Where is it installed</h2>
            <p>The latest install from this image on each server, from the install history.</p>
            {installs.isError ? (
              <ErrorMessage error={installs.error} title="Could not read where it is installed." />
            ) : installs.isPending ? (
              <Skeleton />
            ) : (
              <InstalledOn installs={installs.data.servers} />
            )}
          </section>
          {installVersion !== null ? (
            <InstallImageDialog
              image={detail.image}
              versions={detail.versions}
              open
              initialVersion={installVersion}
              onClose={() => setInstallVersion(null)}
            />
          ) : null}
          <ArchiveImageDialog
            name={detail.image.name}
            open={archiving}
            pending={archive.isPending}
            error={archive.error}
            onKeep={() => {
              archive.reset();
              setArchiving(false);
            }}
            onArchive={() =>
              archive.mutate(undefined, {
                onSuccess: () =>
                  void navigate('/images', { state: { archived: detail.image.name } }),
              })
            }
          />
        </>
      ) : null}
    </>
  );
}
