import { Button, Modal, ModalBody, ModalContent } from '@ovhcloud/ods-react';
import { useId, useRef } from 'react';
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
  const titleId = useId();
  const textId = useId();
  const keep = useRef<HTMLButtonElement>(null);
  return (
    <Modal
      open={open}
      onOpenChange={({ open: isOpen }) => (isOpen ? undefined : onKeep())}
      closeOnEscape
      initialFocusedElement={() => keep.current}
    >
      <ModalContent
        aria-labelledby={titleId}
        aria-describedby={textId}
        className="confirm-dialog"
        dismissible={false}
      >
        <ModalBody className="confirm-dialog__body">
          <h2 className="confirm-dialog__title" id={titleId}>
            Cancel the installation on {sn}?
          </h2>
          <p id={textId}>
            {dataLossSentence(sn)} Cancelling stops OVH&apos;s installer but does not undo that: the
            disks may be left with a partial image, and the server needs a new install before it can
            be used.
          </p>
          <div className="confirm-dialog__actions">
            <Button ref={keep} variant="outline" onClick={onKeep}>
              Keep installing
            </Button>
            <Button color="critical" onClick={onCancel}>
              Cancel installation
            </Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
