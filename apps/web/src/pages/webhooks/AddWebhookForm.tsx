import { Button, Input } from '@ovhcloud/ods-react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../data/client.ts';
import { useCreateWebhook } from '../../data/webhooks/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import { EventChoices } from './EventChoices.tsx';
import type { WebhookForm, WebhookFormValues } from './webhookForm.ts';
import { createRequestOf, EMPTY_WEBHOOK_FORM, webhookResolver } from './webhookForm.ts';

const FIELDS = ['url', 'description', 'events'] as const;

/** Adds a webhook; the answer's secret goes to `onCreated`, to be shown once. */
export function AddWebhookForm({
  onCreated,
}: {
  onCreated: (url: string, secret: string) => void;
}) {
  const create = useCreateWebhook();
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();
  const { register, handleSubmit, formState, setError, reset } = useForm<
    WebhookFormValues,
    unknown,
    WebhookForm
  >({
    resolver: webhookResolver,
    mode: 'onBlur',
    reValidateMode: 'onChange',
    shouldFocusError: false,
    defaultValues: EMPTY_WEBHOOK_FORM,
  });

  const onValid = (form: WebhookForm) =>
    create.mutate(createRequestOf(form), {
      onSuccess: ({ webhook, secret }) => {
        reset(EMPTY_WEBHOOK_FORM);
        onCreated(webhook.url, secret);
      },
      onError: (error) => {
        if (!(error instanceof ApiError)) return;
        for (const [path, messages] of Object.entries(error.fieldErrors)) {
          const field = FIELDS.find((name) => name === path.split('.')[0]);
          if (field) {
            setError(field, {
              type: 'server',
              message: messages.join(' '),
            });
          }
        }
      },
    });

  return (
    <form
      noValidate
      aria-label="Add a webhook"
      className="form-section webhook-form"
      ref={formRef}
      onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
    >
      <h2>Add a webhook</h2>
      <p>The console calls the address with a signed JSON body when an event happens.</p>
      <div className="field-row">
        <Field
          id="webhook-url"
          label="URL"
          required
          error={formState.errors.url?.message}
          hint="e.g. https://hooks.example.com/byoi"
        >
          <Input {...register('url')} type="url" inputMode="url" aria-required autoComplete="off" />
        </Field>
        <Field
          id="webhook-description"
          label="Description"
          error={formState.errors.description?.message}
          hint="Optional: who listens, e.g. the on-call chat."
        >
          <Input {...register('description')} autoComplete="off" />
        </Field>
      </div>
      <EventChoices
        idPrefix="new-webhook-events"
        error={formState.errors.events?.message}
        registration={register('events')}
      />
      {create.isError ? (
        <ErrorMessage error={create.error} title="The webhook was not added." />
      ) : null}
      <div className="form-actions">
        <Button type="submit" loading={create.isPending} disabled={create.isPending}>
          Add the webhook
        </Button>
      </div>
    </form>
  );
}
