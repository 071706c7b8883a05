import { formatDiskGroup, formatGiBFloor, formatMemory } from '@byoi/shared';
import type { InstallProgressDto, ServerDetailResponse } from '@byoi/shared';
import {
  Badge,
  Button,
  Menu,
  MenuContent,
  MenuItem,
  MenuTrigger,
  Skeleton,
  Tab,
  TabContent,
  TabList,
  Tabs,
} from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { Outlet, useNavigate, useParams, useSearchParams } from 'react-router';
import { useServer } from '../../data/servers/hooks.ts';
import { isInstallRunning } from '../../data/servers/installState.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { InstallFacts } from '../../ui/InstallFacts.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { dataLossSentence } from '../../ui/words.ts';
import { InstallHistory } from './InstallHistory.tsx';

export const INSTALL_RUNNING_REASON = 'An installation is already running';
export const REINSTALL_LABEL = 'Reinstall with the same image';

const INSTALL_STATE_LABEL: Record<InstallProgressDto['state'], string> = {
  idle: 'No installation yet',
  running: 'Installing',
  done: 'Installation complete',
  failed: 'Installation failed',
  cancelled: 'Installation cancelled',
};

/**
 * One name–value group: a `<div>` directly in the `<dl>` holding only its `<dt>` and `<dd>` (the
 * one wrapper HTML allows there; anything else, such as an action button, goes inside the `<dd>`).
 */
function Row({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="tile__row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export const VIEWER_REASON = 'Your role is viewer: installing needs the operator role.';

function SystemRow({ sn, detail }: { sn: string; detail: ServerDetailResponse }) {
  const navigate = useNavigate();
  const canOperate = useCanOperate();
  // The BFF's one judgement, polled while it says "running" (useServer).
  const running = isInstallRunning(detail.install);
  if (!canOperate) {
    return (
      <div className="tile__row">
        <dt>System (OS)</dt>
        <dd>
          {detail.server.os}
          <span className="tile__reason">{VIEWER_REASON}</span>
        </dd>
      </div>
    );
  }
  return (
    <div className="tile__row tile__row--action">
      <dt id="system-os-label">System (OS)</dt>
      <dd>
        {detail.server.os}
        {running ? (
          <span className="tile__reason" id="install-unavailable-reason">
            Install is unavailable: {INSTALL_RUNNING_REASON}.
          </span>
        ) : null}
        <div className="tile__action">
          <Menu>
            {/* The name stays "…" like the Control Panel; the description says which row it acts on. */}
            <MenuTrigger asChild>
              <Button
                variant="ghost"
                size="sm"
                aria-describedby="system-os-label"
                title="Actions for System (OS)"
              >
                …
              </Button>
            </MenuTrigger>
            <MenuContent>
              <MenuItem
                value="install"
                disabled={running}
                aria-describedby={running ? 'install-unavailable-reason' : undefined}
                onSelect={() => {
                  void navigate(`/servers/${encodeURIComponent(sn)}/install/source`);
                }}
              >
                Install
              </MenuItem>
              {running ? (
                <div className="menu-reason" role="note">
                  {INSTALL_RUNNING_REASON}
                </div>
              ) : null}
            </MenuContent>
          </Menu>
        </div>
      </dd>
    </div>
  );
}

const INSTALL_BADGE: Record<
  InstallProgressDto['state'],
  'information' | 'success' | 'critical' | 'warning' | 'neutral'
> = {
  idle: 'neutral',
  running: 'information',
  done: 'success',
  failed: 'critical',
  cancelled: 'warning',
};

/** The last installation: how it went, what it installed, and the way to install it again. */
function InstallTile({ sn, install }: { sn: string; install: InstallProgressDto }) {
  const canOperate = useCanOperate();
  const base = `/servers/${encodeURIComponent(sn)}`;
  const running = isInstallRunning(install);
  return (
    <section className="tile tile--install" aria-labelledby="tile-install">
      <h2 id="tile-install">{install.state === 'idle' ? 'Installation' : 'Last installation'}</h2>
      <dl>
        <Row term="Status">
          <Badge color={INSTALL_BADGE[install.state]}>{INSTALL_STATE_LABEL[install.state]}</Badge>
        </Row>
        {install.task ? <Row term="Started">{formatDateTime(install.task.startDate)}</Row> : null}
        {install.task?.doneDate && !running ? (
          <Row term="Finished">{formatDateTime(install.task.doneDate)}</Row>
        ) : null}
      </dl>
      {install.submitted ? (
        <InstallFacts sn={sn} submitted={install.submitted} task={install.task} compact />
      ) : null}
      {install.state !== 'idle' ? (
        <p className="tile__links">
          <RouterLink to={`${base}/install/progress`}>
            {running ? 'Follow the running installation' : 'See the last installation'}
          </RouterLink>
          <RouterLink to={`${base}?tab=history`}>Every install on this server</RouterLink>
        </p>
      ) : null}
      {canOperate && install.state !== 'idle' && !running ? (
        <div className="tile__reinstall">
          <RouterLink to={`${base}/install/configure?reuse=last`} aria-describedby="reinstall-hint">
            {REINSTALL_LABEL}
          </RouterLink>
          <span className="tile__reason" id="reinstall-hint">
            Opens the form with the last installation&apos;s image fields filled in; nothing is sent
            until you confirm. {dataLossSentence(sn)}
          </span>
        </div>
      ) : null}
    </section>
  );
}

function ServerTiles({ sn, detail }: { sn: string; detail: ServerDetailResponse }) {
  const { server, hardware, install } = detail;
  const disks = hardware.diskGroups.length
    ? hardware.diskGroups
        .map(
          (group) =>
            formatDiskGroup(group) + (group.raidController ? ` (${group.raidController})` : ''),
        )
        .join(', ')
    : 'No disk reported';
  return (
    <div className="tiles">
      <section className="tile" aria-labelledby="tile-info">
        <h2 id="tile-info">General information</h2>
        <dl>
          <Row term="Name">{server.displayName || server.name}</Row>
          <Row term="State">{server.state}</Row>
          <Row term="Datacenter">{server.datacenter}</Row>
          <Row term="IP">{server.ip ?? 'No IP address'}</Row>
          {server.reverse ? <Row term="Reverse DNS">{server.reverse}</Row> : null}
          {server.rack ? <Row term="Rack">{server.rack}</Row> : null}
          <SystemRow sn={sn} detail={detail} />
          <Row term="Boot mode">{hardware.bootMode === 'uefi' ? 'UEFI' : 'Legacy (BIOS)'}</Row>
          <Row term="EFI bootloader">
            {server.efiBootloaderPath ? (
              <span className="verbatim">{server.efiBootloaderPath}</span>
            ) : (
              'Not set'
            )}
          </Row>
        </dl>
      </section>
      <section className="tile" aria-labelledby="tile-hardware">
        <h2 id="tile-hardware">Hardware</h2>
        <dl>
          {hardware.description ? <Row term="Model">{hardware.description}</Row> : null}
          {hardware.processorName ? <Row term="Processor">{hardware.processorName}</Row> : null}
          <Row term="RAM">{formatMemory(hardware.memoryBytes)}</Row>
          <Row term="Largest image">
            {formatGiBFloor(hardware.imageLimitBytes)} (the server&apos;s RAM minus 3 GiB)
          </Row>
          <Row term="Disks">{disks}</Row>
        </dl>
      </section>
      <InstallTile sn={sn} install={install} />
    </div>
  );
}

/** The tabs, as the address names them (`?tab=history`); General information has no parameter. */
const TABS = ['general', 'history'] as const;
type ServerTab = (typeof TABS)[number];

export default function ServerPage() {
  const sn = useParams().sn ?? '';
  const server = useServer(sn);
  const [params, setParams] = useSearchParams();
  const tab: ServerTab = TABS.find((t) => t === params.get('tab')) ?? 'general';

  function showTab(next: string) {
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === 'history') updated.set('tab', next);
        else updated.delete('tab');
        return updated;
      },
      { replace: true },
    );
  }

  useEffect(() => {
    document.title = `${sn} · BYOI Console`;
  }, [sn]);

  return (
    <>
      <PageBreadcrumb items={[{ label: 'Dedicated servers', to: '/servers' }, { label: sn }]} />
      <h1 className="page-title">{server.data?.server.displayName || sn}</h1>
      {server.data && server.data.server.displayName !== sn ? (
        <p className="page-lead">{sn}</p>
      ) : null}
      {server.isError ? (
        <ErrorMessage error={server.error} title="Could not load this server." />
      ) : null}
      <Tabs value={tab} onValueChange={(event) => showTab(event.value)}>
        <TabList>
          <Tab value="general">General information</Tab>
          <Tab value="history">Install history</Tab>
        </TabList>
        <TabContent value="general">
          {server.data ? (
            <ServerTiles sn={sn} detail={server.data} />
          ) : server.isPending ? (
            <div className="tiles">
              <Skeleton />
              <Skeleton />
            </div>
          ) : null}
        </TabContent>
        <TabContent value="history">
          {tab === 'history' ? (
            <InstallHistory sn={sn} installRunning={isInstallRunning(server.data?.install)} />
          ) : null}
        </TabContent>
      </Tabs>
      <Outlet />
    </>
  );
}
