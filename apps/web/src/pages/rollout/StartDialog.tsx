import { Input } from '@ovhcloud/ods-react';
import { useState } from 'react';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { startPhrase } from './words.ts';

/**
 * Starting wipes many servers: the operator types how many, so a reflex click cannot do it. The
 * red button waits for the exact words.
 */
export function StartDialog({
  name,
  count,
  open,
  pending,
  error,
  onKeep,
  onStart,
}: {
  name: string;
  /** Servers that will be installed (not blocked). */
  count: number;
  open: boolean;
  pending: boolean;
  error: unknown;
  onKeep: () => void;
  onStart: () => void;
}) {
  const [typed, setTyped] = useState('');
  const phrase = startPhrase(count);
  const keep = () => {
    setTyped('');
    onKeep();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Start ${name}?`}
      keepLabel="Keep it ready"
      confirmLabel="Start the rollout"
      pending={pending}
      confirmDisabled={typed !== phrase}
      extra={
        <Field
          id="start-confirmation"
          label={`Type “${phrase}” to confirm`}
          hint="Exactly these words, to say you mean every one of them."
        >
          <Input
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      }
      problem={error ? <ErrorMessage error={error} title="The rollout did not start." /> : null}
      onKeep={keep}
      onConfirm={onStart}
    >
      Installing erases every disk of {count} server{count === 1 ? '' : 's'}: all their data is lost
      and cannot be recovered. The canaries go first; the batches follow as the plan says.
    </ConfirmDialog>
  );
}
