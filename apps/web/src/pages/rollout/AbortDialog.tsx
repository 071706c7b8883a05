import { useState } from 'react';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/** Aborting starts no more installs; those running at OVH go on unless the operator says. */
export function AbortDialog({
  name,
  installing,
  open,
  pending,
  error,
  onKeep,
  onAbort,
}: {
  name: string;
  installing: number;
  open: boolean;
  pending: boolean;
  error: unknown;
  onKeep: () => void;
  onAbort: (cancelRunning: boolean) => void;
}) {
  const [cancelRunning, setCancelRunning] = useState(false);
  return (
    <ConfirmDialog
      open={open}
      title={`Abort ${name}?`}
      keepLabel="Keep the rollout"
      confirmLabel="Abort the rollout"
      pending={pending}
      extra={
        <label className="inline-choice abort-option">
          <input
            type="checkbox"
            checked={cancelRunning}
            onChange={(event) => setCancelRunning(event.target.checked)}
          />
          Also cancel the installs running at OVH (leaves those servers unbootable)
        </label>
      }
      problem={error ? <ErrorMessage error={error} title="The rollout was not aborted." /> : null}
      onKeep={onKeep}
      onConfirm={() => onAbort(cancelRunning)}
    >
      No further server is installed; an aborted rollout cannot be started again.{' '}
      {installing > 0
        ? `${installing} install${installing === 1 ? ' is' : 's are'} running at OVH: they go on to their end unless you cancel them.`
        : 'No install is running now.'}
    </ConfirmDialog>
  );
}
