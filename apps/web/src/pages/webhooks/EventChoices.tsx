import { WEBHOOK_EVENT_TYPES } from '@byoi/shared';
import type { WebhookEventType } from '@byoi/shared';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { EVENT_LABEL } from './webhookForm.ts';

/** One checkbox per event, the event's name beside what it means. */
export function EventChoices({
  idPrefix,
  error,
  registration,
  checked,
  onToggle,
}: {
  idPrefix: string;
  error: string | undefined;
  /** A form's registration, or `checked` and `onToggle` for a controlled list. */
  registration?: UseFormRegisterReturn;
  checked?: readonly WebhookEventType[];
  onToggle?: (event: WebhookEventType) => void;
}) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset
      className="webhook-events"
      aria-describedby={error ? errorId : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>Events</legend>
      {WEBHOOK_EVENT_TYPES.map((event) => {
        const id = `${idPrefix}-${event}`;
        return (
          <div key={event} className="webhook-events__item">
            <input
              id={id}
              type="checkbox"
              value={event}
              {...(registration ?? {
                checked: checked?.includes(event) ?? false,
                onChange: () => onToggle?.(event),
              })}
            />
            <label htmlFor={id}>
              <span className="verbatim">{event}</span>{' '}
              <span className="muted">{EVENT_LABEL[event]}</span>
            </label>
          </div>
        );
      })}
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
