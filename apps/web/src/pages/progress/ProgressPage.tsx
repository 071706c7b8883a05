import type { InstallProgressDto, InstallStepDto } from '@byoi/shared';
import {
  Badge,
  Button,
  Message,
  MessageBody,
  MessageIcon,
  ProgressBar,
  Skeleton,
  Spinner,
} from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useCancelInstall, useInstallProgress } from '../../data/servers/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDuration } from '../../ui/format.ts';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';

const STEP_BADGE: Record<
  InstallStepDto['status'],
  { label: string; color: 'neutral' | 'information' | 'success' | 'critical' | 'warning' }
> = {
  todo: { label: 'To do', color: 'neutral' },
  pending: { label: 'Pending', color: 'neutral' },
  idle: { label: 'Waiting', color: 'neutral' },
  doing: { label: 'In progress', color: 'information' },
  done: { label: 'Done', color: 'success' },
  error: { label: 'Error', color: 'critical' },
  expired: { label: 'Expired', color: 'warning' },
  stopping: { label: 'Stopping', color: 'warning' },
};

/** Seconds since the last poll, so the elapsed time moves every second between 2 s polls. */
function useSecondsSince(timestamp: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? Math.max(0, Math.floor((now - timestamp) / 1000)) : 0;
}

function Outcome({
  progress,
  onRetry,
}: {
  progress: InstallProgressDto;
  /** Undefined for a viewer: only operators may install again. */
  onRetry: (() => void) | undefined;
}) {
  if (progress.state === 'done') {
    return (
      <Message color="success" dismissible={false} className="page-message">
        <MessageIcon name="circle-check" />
        <MessageBody>
          <strong>Installation complete</strong>. The server boots your image; cloud-init applies
          the Config Drive on first boot.
        </MessageBody>
      </Message>
    );
  }
  if (progress.state === 'cancelled') {
    return (
      <Message color="warning" dismissible={false} className="page-message">
        <MessageIcon name="triangle-exclamation" />
        <MessageBody>
          <strong>Installation cancelled</strong>. The disks may hold a partial image: install again
          before using the server.{' '}
          {onRetry ? (
            <Button size="sm" variant="outline" onClick={onRetry}>
              Edit and retry
            </Button>
          ) : null}
        </MessageBody>
      </Message>
    );
  }
  if (progress.state !== 'failed') return null;
  const failure = progress.failure;
  return (
    <section className="form-section failure" aria-labelledby="failure-title" role="alert">
      <h2 id="failure-title">Installation failed</h2>
      {failure ? (
        <>
          <p>
            <strong>{failure.entry.title}</strong>
          </p>
          <dl>
            <dt>OVH&apos;s message</dt>
            <dd className="verbatim">{failure.message}</dd>
            <dt>What it means</dt>
            <dd>{failure.entry.meaning}</dd>
            <dt>How to fix it</dt>
            <dd>{failure.entry.remedy}</dd>
          </dl>
        </>
      ) : (
        <p>OVH reported a failure without a message. Check the steps below, then try again.</p>
      )}
      {onRetry ? (
        <>
          <div className="form-actions" style={{ justifyContent: 'flex-start', marginTop: 16 }}>
            <Button onClick={onRetry}>Edit and retry</Button>
          </div>
          <p className="field-hint">
            Your previous values come back, except HTTP header values: they are never kept, so type
            them again.
          </p>
        </>
      ) : null}
    </section>
  );
}

export default function ProgressPage() {
  const sn = useParams().sn ?? '';
  const navigate = useNavigate();
  const progress = useInstallProgress(sn);
  const cancel = useCancelInstall(sn);
  const canOperate = useCanOperate();
  const data = progress.data;
  const running = data?.state === 'running';
  const sincePoll = useSecondsSince(progress.dataUpdatedAt, running);
  const base = `/servers/${encodeURIComponent(sn)}`;

  useEffect(() => {
    document.title = `Installation progress · ${sn} · BYOI Console`;
  }, [sn]);

  const retry = () => void navigate(`${base}/install/configure`, { state: { retry: true } });

  return (
    <>
      <PageBreadcrumb
        items={[
          { label: 'Dedicated servers', to: '/servers' },
          { label: sn, to: base },
          { label: 'Installation progress' },
        ]}
      />
      <h1 className="page-title">Installation progress</h1>
      <p className="page-lead">
        Bring Your Own Image - byoi on {sn}
        {data?.task
          ? ` · task ${data.task.taskId}, started ${new Date(data.task.startDate).toLocaleString()}`
          : ''}
      </p>

      {progress.isError ? (
        <ErrorMessage error={progress.error} title="Could not read the installation status." />
      ) : null}
      {progress.isPending ? <Skeleton /> : null}

      {data ? (
        <>
          {data.state === 'idle' ? (
            <Message color="information" dismissible={false} className="page-message">
              <MessageIcon name="circle-info" />
              <MessageBody>
                No installation has run on this server yet.{' '}
                {canOperate ? (
                  <RouterLink to={`${base}/install/source`}>Install an image</RouterLink>
                ) : null}
              </MessageBody>
            </Message>
          ) : (
            <>
              <div className="progress-head">
                {running ? <Spinner size="sm" aria-hidden="true" /> : null}
                <ProgressBar
                  aria-label="Installation progress"
                  aria-valuenow={data.percent}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  value={data.percent}
                  max={100}
                />
                <strong>{data.percent}%</strong>
                <span className="muted" aria-label="Elapsed time">
                  Elapsed {formatDuration(data.elapsedSeconds + sincePoll)}
                </span>
              </div>
              <span className="muted" role="status">
                {running ? 'Installing: this page refreshes by itself.' : ''}
              </span>
              <Outcome progress={data} onRetry={canOperate ? retry : undefined} />
              {cancel.isError ? (
                <ErrorMessage error={cancel.error} title="The installation was not cancelled." />
              ) : null}
              {running && canOperate ? (
                <div
                  className="form-actions"
                  style={{ justifyContent: 'flex-start', margin: '16px 0' }}
                >
                  <Button
                    color="critical"
                    variant="outline"
                    disabled={cancel.isPending}
                    loading={cancel.isPending}
                    onClick={() => cancel.mutate()}
                  >
                    {cancel.isPending ? 'Cancelling…' : 'Cancel installation'}
                  </Button>
                </div>
              ) : null}
              <section className="form-section" aria-labelledby="steps-title">
                <h2 id="steps-title">Steps</h2>
                {data.steps.length === 0 ? (
                  <p className="muted">OVH has not listed the steps yet.</p>
                ) : (
                  <ol className="steps">
                    {data.steps.map((step, index) => {
                      const badge = STEP_BADGE[step.status];
                      return (
                        <li key={`${index}-${step.comment}`}>
                          <span className="steps__status">
                            <Badge color={badge.color}>{badge.label}</Badge>
                          </span>
                          <span>
                            {step.comment}
                            {step.error ? <span className="steps__error">{step.error}</span> : null}
                          </span>
                        </li>
                      );
                    })}
                  </ol>
                )}
              </section>
            </>
          )}
        </>
      ) : null}
    </>
  );
}
