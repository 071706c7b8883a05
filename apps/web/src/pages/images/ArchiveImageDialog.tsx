import { Button, Modal, ModalBody, ModalContent } from '@ovhcloud/ods-react';
import { useId, useRef } from 'react';
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
            Archive {name}?
          </h2>
          <p id={textId}>
            The image leaves the library: no one can pick it for an install any more, and its stored
            HTTP header values are no longer used. The servers it was installed on keep it in their
            install history, and the audit log keeps the change.
          </p>
          {error ? <ErrorMessage error={error} title="The image was not archived." /> : null}
          <div className="confirm-dialog__actions">
            <Button ref={keep} variant="outline" onClick={onKeep}>
              Keep the image
            </Button>
            <Button color="critical" loading={pending} disabled={pending} onClick={onArchive}>
              Archive
            </Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
