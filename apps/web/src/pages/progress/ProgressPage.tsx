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
import { isInstallRunning } from '../../data/servers/installState.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { InstallFacts } from '../../ui/InstallFacts.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { CancelInstallDialog } from './CancelInstallDialog.tsx';
import { InstallOutcome } from './InstallOutcome.tsx';

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

const FACTS_TITLE: Record<InstallProgressDto['state'], string> = {
  idle: '',
  running: 'What is being installed',
  done: 'What was installed',
  failed: 'What was sent to OVH',
  cancelled: 'What was sent to OVH',
};

/** The bar takes the outcome's colour: red for a failure, green once done. */
const BAR_CLASS: Record<InstallProgressDto['state'], string | undefined> = {
  idle: undefined,
  running: undefined,
  done: 'progress-bar--success',
  failed: 'progress-bar--critical',
  cancelled: 'progress-bar--warning',
};

function Steps({ steps }: { steps: InstallStepDto[] }) {
  return (
    <section className="form-section" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      {steps.length === 0 ? (
        <p className="muted">OVH has not listed the steps yet.</p>
      ) : (
        <ol className="steps">
          {steps.map((step, index) => {
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
  );
}

export default function ProgressPage() {
  const sn = useParams().sn ?? '';
  const navigate = useNavigate();
  const progress = useInstallProgress(sn);
  const cancel = useCancelInstall(sn);
  const canOperate = useCanOperate();
  const [confirming, setConfirming] = useState(false);
  const data = progress.data;
  const running = isInstallRunning(data);
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
          ? ` · task ${data.task.taskId}, started ${formatDateTime(data.task.startDate)}`
          : ''}
      </p>

      {progress.isError ? (
        <ErrorMessage error={progress.error} title="Could not read the installation status." />
      ) : null}
      {progress.isPending ? <Skeleton /> : null}

      {data ? (
        data.state === 'idle' ? (
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
                className={BAR_CLASS[data.state]}
              />
              <strong>{data.percent}%</strong>
              <span className="muted" aria-label="Elapsed time">
                Elapsed {formatDuration(data.elapsedSeconds + sincePoll)}
              </span>
            </div>
            <span className="muted" role="status">
              {running ? 'Installing: this page refreshes by itself.' : ''}
            </span>
            <InstallOutcome progress={data} onRetry={canOperate ? retry : undefined} />
            {cancel.isError ? (
              <ErrorMessage error={cancel.error} title="The installation was not cancelled." />
            ) : null}
            {running && canOperate ? (
              <div className="form-actions progress-actions">
                <Button
                  color="critical"
                  variant="outline"
                  disabled={cancel.isPending}
                  loading={cancel.isPending}
                  onClick={() => setConfirming(true)}
                >
                  {cancel.isPending ? 'Cancelling…' : 'Cancel installation'}
                </Button>
              </div>
            ) : null}
            {data.submitted ? (
              <section className="form-section" aria-labelledby="facts-title">
                <h2 id="facts-title">{FACTS_TITLE[data.state]}</h2>
                <InstallFacts sn={sn} submitted={data.submitted} task={data.task} />
              </section>
            ) : data.state === 'done' ? (
              <p className="muted">
                This console did not start this installation (or has restarted since), so it cannot
                say which image was installed.
                {data.task?.doneDate ? ` It finished ${formatDateTime(data.task.doneDate)}.` : ''}
              </p>
            ) : null}
            <Steps steps={data.steps} />
          </>
        )
      ) : null}
      <CancelInstallDialog
        sn={sn}
        open={confirming && running}
        onKeep={() => setConfirming(false)}
        onCancel={() => {
          setConfirming(false);
          cancel.mutate();
        }}
      />
    </>
  );
}
