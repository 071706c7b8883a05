import { Button, Modal, ModalBody, ModalContent } from '@ovhcloud/ods-react';
import { useId, useRef, type ReactNode } from 'react';

/**
 * A question before a step that cannot be taken back. The safe answer (`keepLabel`) has the focus,
 * so Enter or Escape change nothing; the other one is red.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  keepLabel,
  confirmLabel,
  pending = false,
  confirmDisabled = false,
  extra,
  problem,
  onKeep,
  onConfirm,
}: {
  open: boolean;
  title: ReactNode;
  /** What the step does (one paragraph); read out as the dialog's description. */
  children: ReactNode;
  keepLabel: string;
  confirmLabel: string;
  pending?: boolean;
  /** Keeps the red answer disabled, e.g. until a typed confirmation matches. */
  confirmDisabled?: boolean;
  /** Controls under the description: a typed confirmation, an option of the step. */
  extra?: ReactNode;
  /** Shown under the description, e.g. why the last try failed. */
  problem?: ReactNode;
  onKeep: () => void;
  onConfirm: () => void;
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
            {title}
          </h2>
          <p id={textId}>{children}</p>
          {extra}
          {problem}
          <div className="confirm-dialog__actions">
            <Button ref={keep} variant="outline" onClick={onKeep}>
              {keepLabel}
            </Button>
            <Button
              color="critical"
              loading={pending}
              disabled={pending || confirmDisabled}
              onClick={onConfirm}
            >
              {confirmLabel}
            </Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
