import { formatGiBFloor, formatMemory } from '@byoi/shared';
import { Message, MessageBody, MessageIcon, Skeleton } from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useLocation, useParams, useSearchParams } from 'react-router';
import { useImage } from '../../data/images/hooks.ts';
import { useInstallEntry } from '../../data/installs/hooks.ts';
import { useMeta } from '../../data/meta/hooks.ts';
import { useServer } from '../../data/servers/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { loadForm, loadLibrarySource } from './formStorage.ts';
import type { OpenWith } from './InstallForm.tsx';
import { EMPTY_FORM, InstallForm } from './InstallForm.tsx';
import type { Prefill } from './prefill.ts';
import { fromHistory, fromLibrary } from './prefill.ts';
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

/** `?reuse=install:<id>`: an install of the server's history. */
function historyIdOf(reuse: string | null): string | null {
  const id = reuse?.startsWith('install:') ? reuse.slice('install:'.length) : '';
  return id === '' ? null : id;
}

/** `?version=<n>`: a version number, or null (the latest). */
function versionOf(text: string | null): number | null {
  const version = Number(text);
  return text !== null && Number.isSafeInteger(version) && version >= 1 ? version : null;
}

/**
 * What the page was opened with that must be read before the form can start: an install of the
 * history (`?reuse=install:<id>`, with the library image it came from, if any) or a library image
 * version (`?image=<id>&version=<n>`). `pending` until read; `failure` says what could not be.
 */
function usePrefill(sn: string, search: URLSearchParams, efiDefault: string | null) {
  const historyId = historyIdOf(search.get('reuse'));
  const imageParam = historyId === null ? search.get('image') : null;
  const entry = useInstallEntry(historyId ?? '', { enabled: historyId !== null });
  const libraryId = imageParam ?? entry.data?.libraryImage?.id ?? '';
  const image = useImage(libraryId, { enabled: libraryId !== '' });
  const defaults = { ...EMPTY_FORM, ...(efiDefault ? { efiBootloaderPath: efiDefault } : {}) };

  if (historyId !== null) {
    if (entry.isPending) return { pending: true } as const;
    if (entry.isError) {
      return {
        pending: false,
        failure: { error: entry.error, what: 'that install of the history' },
      };
    }
    const wanted = entry.data.libraryImage;
    if (wanted && image.isPending) return { pending: true } as const;
    const version = image.data?.versions.find((v) => v.version === wanted?.version);
    const prefill: Prefill = fromHistory(entry.data, sn, defaults, version);
    return { pending: false, prefill, libraryMissing: wanted !== null && version === undefined };
  }
  if (imageParam !== null) {
    if (image.isPending) return { pending: true } as const;
    if (image.isError) {
      return { pending: false, failure: { error: image.error, what: 'that library image' } };
    }
    const wanted = versionOf(search.get('version'));
    const version =
      wanted === null
        ? image.data.image.latest
        : image.data.versions.find((v) => v.version === wanted);
    if (!version) {
      return {
        pending: false,
        failure: {
          error: new Error(
            `${image.data.image.name} has no version ${wanted}: its latest is v${image.data.image.latest.version}.`,
          ),
          what: 'that library image version',
        },
      };
    }
    return { pending: false, prefill: fromLibrary(image.data.image, version) };
  }
  return { pending: false } as const;
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
  const [storedLibrary] = useState(() => loadLibrarySource(sn));
  const base = `/servers/${encodeURIComponent(sn)}`;

  useEffect(() => {
    document.title = `Install on ${sn} · BYOI Console`;
  }, [sn]);

  const detail = server.data;
  const running = detail?.install.state === 'running';
  const canOperate = useCanOperate();
  const opening = usePrefill(sn, search, detail?.server.efiBootloaderPath ?? null);

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
      {opening.failure && canOperate ? (
        <ErrorMessage
          error={opening.failure.error}
          title={`Could not read ${opening.failure.what}: the form starts empty.`}
        />
      ) : null}
      {opening.libraryMissing && canOperate ? (
        <Message color="warning" dismissible={false} className="page-message">
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>
            This install came from a library image that could not be read (archived, or its version
            is gone): its HTTP headers are rows to fill in again, their values typed by you.
          </MessageBody>
        </Message>
      ) : null}
      {detail && meta.data && !running && canOperate && !opening.pending ? (
        <div className="form-layout">
          <InstallForm
            sn={sn}
            route={meta.data.installRoute}
            hardware={detail.hardware}
            serverEfiBootloaderPath={detail.server.efiBootloaderPath}
            stored={stored}
            storedLibrary={storedLibrary}
            openWith={opening.prefill || opening.failure ? null : openWith}
            prefill={opening.prefill ?? null}
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
      {(server.isPending || meta.isPending || (opening.pending && canOperate)) &&
      !server.isError &&
      !meta.isError ? (
        <Skeleton />
      ) : null}
    </div>
  );
}
