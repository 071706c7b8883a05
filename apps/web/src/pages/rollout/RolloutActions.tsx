import type { RolloutDetailDto } from '@byoi/shared';
import { Button, Icon, Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import { useState } from 'react';
import { useRolloutStep } from '../../data/rollouts/hooks.ts';
import { isTerminal } from '../../data/rollouts/rolloutState.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { AbortDialog } from './AbortDialog.tsx';
import { StartDialog } from './StartDialog.tsx';

const FAILED_STEP = {
  start: 'The rollout did not start.',
  pause: 'The rollout was not paused.',
  resume: 'The rollout was not resumed.',
  abort: 'The rollout was not aborted.',
} as const;

/** Start when ready, Pause when running, Resume when paused, Abort until it has ended. */
export function RolloutActions({ rollout }: { rollout: RolloutDetailDto }) {
  const step = useRolloutStep(rollout.id);
  const [dialog, setDialog] = useState<'start' | 'abort' | null>(null);
  const { state, counts, plan } = rollout;
  const toInstall = counts.total - counts.blocked;
  const refused = state === 'ready' && plan.onBlocked === 'refuse' && counts.blocked > 0;
  const failedStep = step.isError ? step.variables.step : null;

  const close = () => {
    setDialog(null);
    step.reset();
  };

  if (isTerminal(state)) return null;
  return (
    <>
      {refused ? (
        <Message color="warning" dismissible={false} className="page-message">
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>
            The plan refuses to start while any server is blocked, and {counts.blocked}{' '}
            {counts.blocked === 1 ? 'is' : 'are'}: Start will be refused. Plan a new rollout without{' '}
            {counts.blocked === 1 ? 'it' : 'them'}, or with &ldquo;Skip them&rdquo; for servers the
            image cannot fit.
          </MessageBody>
        </Message>
      ) : null}
      <div className="form-actions progress-actions rollout-actions">
        {state === 'ready' ? (
          <Button color="critical" onClick={() => setDialog('start')}>
            Start
          </Button>
        ) : null}
        {state === 'running' ? (
          <Button
            variant="outline"
            loading={step.isPending && step.variables.step === 'pause'}
            disabled={step.isPending}
            onClick={() => step.mutate({ step: 'pause' })}
          >
            Pause
          </Button>
        ) : null}
        {state === 'paused' ? (
          <Button
            loading={step.isPending && step.variables.step === 'resume'}
            disabled={step.isPending}
            onClick={() => step.mutate({ step: 'resume' })}
          >
            Resume
          </Button>
        ) : null}
        <Button
          color="critical"
          variant="outline"
          disabled={step.isPending}
          onClick={() => setDialog('abort')}
        >
          <Icon name="xmark" aria-hidden="true" /> Abort
        </Button>
      </div>
      {failedStep === 'pause' || failedStep === 'resume' ? (
        <ErrorMessage error={step.error} title={FAILED_STEP[failedStep]} />
      ) : null}
      <StartDialog
        name={rollout.name}
        count={toInstall}
        open={dialog === 'start'}
        pending={step.isPending}
        error={failedStep === 'start' ? step.error : null}
        onKeep={close}
        onStart={() => step.mutate({ step: 'start' }, { onSuccess: () => setDialog(null) })}
      />
      <AbortDialog
        name={rollout.name}
        installing={counts.installing}
        open={dialog === 'abort'}
        pending={step.isPending}
        error={failedStep === 'abort' ? step.error : null}
        onKeep={close}
        onAbort={(cancelRunning) =>
          step.mutate({ step: 'abort', cancelRunning }, { onSuccess: () => setDialog(null) })
        }
      />
    </>
  );
}
