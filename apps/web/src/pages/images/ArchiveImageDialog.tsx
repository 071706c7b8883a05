import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

/** Archiving asks first; "Keep the image" has the focus, so Enter or Escape change nothing. */
export function ArchiveImageDialog({
  name,
  open,
  pending,
  error,
  onKeep,
  onArchive,
}: {
  name: string;
  open: boolean;
  pending: boolean;
  error: unknown;
  onKeep: () => void;
  onArchive: () => void;
}) {
  return (
    <ConfirmDialog
      open={open}
      title={`Archive ${name}?`}
      keepLabel="Keep the image"
      confirmLabel="Archive"
      pending={pending}
      problem={error ? <ErrorMessage error={error} title="The image was not archived." /> : null}
      onKeep={onKeep}
      onConfirm={onArchive}
    >
      The image leaves the library: no one can pick it for an install any more, and its stored HTTP
      header values are no longer used. The servers it was installed on keep it in their install
      history, and the audit log keeps the change.
    </ConfirmDialog>
  );
}
