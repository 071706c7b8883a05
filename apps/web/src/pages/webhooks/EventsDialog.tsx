import type { WebhookDto, WebhookEventType } from '@byoi/shared';
import { Button, Modal, ModalBody, ModalContent } from '@ovhcloud/ods-react';
import { useId, useState } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { EventChoices } from './EventChoices.tsx';
import { eventsSchema } from './webhookForm.ts';

/** Changes what a webhook is told about. */
export function EventsDialog({
  webhook,
  pending,
  error,
  onClose,
  onSave,
}: {
  webhook: WebhookDto;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSave: (events: WebhookEventType[]) => void;
}) {
  const titleId = useId();
  const [events, setEvents] = useState<WebhookEventType[]>(webhook.events);
  const [problem, setProblem] = useState<string | undefined>();
  const toggle = (event: WebhookEventType) => {
    setProblem(undefined);
    setEvents((current) =>
      current.includes(event) ? current.filter((e) => e !== event) : [...current, event],
    );
  };
  const save = () => {
    const parsed = eventsSchema.safeParse(events);
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message);
      return;
    }
    onSave(parsed.data);
  };
  return (
    <Modal open onOpenChange={({ open }) => (open ? undefined : onClose())} closeOnEscape>
      <ModalContent aria-labelledby={titleId} className="confirm-dialog">
        <ModalBody className="confirm-dialog__body">
          <h2 className="confirm-dialog__title" id={titleId}>
            Events for {webhook.url}
          </h2>
          <EventChoices idPrefix="edit-events" error={problem} checked={events} onToggle={toggle} />
          {error ? <ErrorMessage error={error} title="The events were not changed." /> : null}
          <div className="confirm-dialog__actions">
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button loading={pending} disabled={pending} onClick={save}>
              Save the events
            </Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
