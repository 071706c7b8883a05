import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { dataLossSentence } from '../../ui/words.ts';

/**
 * Cancelling asks first, naming the server: a stray click must not stop an install half-way.
 * "Keep installing" has the focus, so Enter or Escape keep the install going.
 */
export function CancelInstallDialog({
  sn,
  open,
  onKeep,
  onCancel,
}: {
  sn: string;
  open: boolean;
  onKeep: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      open={open}
      title={`Cancel the installation on ${sn}?`}
      keepLabel="Keep installing"
      confirmLabel="Cancel installation"
      onKeep={onKeep}
      onConfirm={onCancel}
    >
      {dataLossSentence(sn)} Cancelling stops OVH&apos;s installer but does not undo that: the disks
      may be left with a partial image, and the server needs a new install before it can be used.
    </ConfirmDialog>
  );
}
