import { formatGiBFloor, formatMemory } from '@byoi/shared';
import { Message, MessageBody, MessageIcon, Skeleton } from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useLocation, useParams, useSearchParams } from 'react-router';
import { useMeta } from '../../data/meta/hooks.ts';
import { useServer } from '../../data/servers/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { loadForm } from './formStorage.ts';
import type { OpenWith } from './InstallForm.tsx';
import { InstallForm } from './InstallForm.tsx';
import './configure.css';

/**
 * The explicit ways back to earlier values: "Edit and retry" from a failed install (router state
 * `{ retry: true }`, every field) and "Reinstall with the same image" from the server page
 * (`?reuse=last`, or router state `{ reuse: 'last' }`: the image fields only).
 */
function openWithOf(state: unknown, reuse: string | null): OpenWith | null {
  const record = (typeof state === 'object' && state !== null ? state : {}) as {
    retry?: unknown;
    reuse?: unknown;
  };
  if (record.retry === true) return { action: 'Edit and retry', scope: 'all' };
  if (reuse === 'last' || record.reuse === 'last') {
    return { action: 'Reinstall with the same image', scope: 'image' };
  }
  return null;
}

export default function ConfigurePage() {
  const sn = useParams().sn ?? '';
  const location = useLocation();
  const [search] = useSearchParams();
  const [openWith] = useState(() => openWithOf(location.state, search.get('reuse')));
  const server = useServer(sn);
  const meta = useMeta();
  // Read once per visit; nothing from it reaches the form without one of the explicit actions.
  const [stored] = useState(() => loadForm(sn));
  const base = `/servers/${encodeURIComponent(sn)}`;

  useEffect(() => {
    document.title = `Install on ${sn} · BYOI Console`;
  }, [sn]);

  const detail = server.data;
  const running = detail?.install.state === 'running';
  const canOperate = useCanOperate();

  return (
    <div className="configure-page">
      <PageBreadcrumb
        items={[
          { label: 'Dedicated servers', to: '/servers' },
          { label: sn, to: base },
          { label: 'Install' },
        ]}
      />
      <h1 className="page-title">Install Bring Your Own Image - byoi on {sn}</h1>
      <p className="page-lead">
        Step 3 of 3 · Configure the image. OVH downloads it into the server&apos;s memory, checks
        it, then writes it to the disks.
      </p>
      {server.isError ? (
        <ErrorMessage error={server.error} title="Could not load this server." />
      ) : null}
      {meta.isError ? (
        <ErrorMessage error={meta.error} title="Could not read the console's settings." />
      ) : null}
      {running ? (
        <Message color="warning" dismissible={false} className="page-message">
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>
            An installation is already running on {sn}.{' '}
            <RouterLink to={`${base}/install/progress`}>Follow its progress</RouterLink> and come
            back when it has ended.
          </MessageBody>
        </Message>
      ) : null}
      {!canOperate ? (
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            Your role is viewer: checking an image and installing need the operator role.{' '}
            <RouterLink to={base}>Back to {sn}</RouterLink>
          </MessageBody>
        </Message>
      ) : null}
      {detail && meta.data && !running && canOperate ? (
        <div className="form-layout">
          <InstallForm
            sn={sn}
            route={meta.data.installRoute}
            hardware={detail.hardware}
            serverEfiBootloaderPath={detail.server.efiBootloaderPath}
            stored={stored}
            openWith={openWith}
          />
          <aside className="form-section summary" aria-labelledby="summary-title">
            <h2 id="summary-title">Server</h2>
            <dl>
              <dt>Name</dt>
              <dd>{sn}</dd>
              <dt>Datacenter</dt>
              <dd>{detail.server.datacenter}</dd>
              <dt>RAM</dt>
              <dd>{formatMemory(detail.hardware.memoryBytes)}</dd>
              <dt>Largest image</dt>
              <dd>{formatGiBFloor(detail.hardware.imageLimitBytes)}</dd>
              <dt>Boot mode</dt>
              <dd>{detail.hardware.bootMode === 'uefi' ? 'UEFI' : 'Legacy (BIOS)'}</dd>
              <dt>Template</dt>
              <dd>Bring Your Own Image - byoi</dd>
            </dl>
            <p className="field-hint">
              Formats: qcow2 or raw. Partition table: MBR or GPT. Software RAID is not set up by
              BYOI.
            </p>
          </aside>
        </div>
      ) : null}
      {(server.isPending || meta.isPending) && !server.isError && !meta.isError ? (
        <Skeleton />
      ) : null}
    </div>
  );
}
