import { MAX_CANARY, MAX_IN_FLIGHT } from '@byoi/shared';
import type { CreateRolloutInput } from '@byoi/shared';
import { Input, Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import { useWatch } from 'react-hook-form';
import type { UseFormReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';
import { planNotesOf } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

/** The waves: canaries first, then batches; the plan's surprises said beside it as notes. */
export function PlanSection({ form, serverCount }: { form: FormApi; serverCount: number | null }) {
  const { register, control, formState } = form;
  const errors = formState.errors.plan;
  const plan = useWatch({ control, name: 'plan' });
  const notes = planNotesOf(plan, serverCount ?? 0);
  const number = { type: 'number', inputMode: 'numeric', min: 0, step: 1 } as const;
  return (
    <section className="form-section" aria-labelledby="rollout-plan">
      <h2 id="rollout-plan">Plan</h2>
      <p>
        The canaries are installed first, alone; then the batches, one after the other. The rollout
        stops starting installs once more servers fail than allowed.
      </p>
      <div className="plan-layout">
        <div>
          <div className="field-row">
            <Field
              id="rollout-canary"
              label="Canary servers"
              error={errors?.canary?.message}
              hint={`canary: 0 to ${MAX_CANARY}; 0 for no canary.`}
            >
              <Input {...register('plan.canary')} {...number} max={MAX_CANARY} />
            </Field>
            <Field
              id="rollout-batchSize"
              label="Batch size"
              required
              error={errors?.batchSize?.message}
              hint="batchSize: servers per batch after the canaries."
            >
              <Input {...register('plan.batchSize')} {...number} min={1} aria-required />
            </Field>
          </div>
          <div className="field-row">
            <Field
              id="rollout-maxInFlight"
              label="Installs at the same time"
              required
              error={errors?.maxInFlight?.message}
              hint={`maxInFlight: 1 to ${MAX_IN_FLIGHT}.`}
            >
              <Input
                {...register('plan.maxInFlight')}
                {...number}
                min={1}
                max={MAX_IN_FLIGHT}
                aria-required
              />
            </Field>
            <Field
              id="rollout-maxFailures"
              label="Failures allowed"
              error={errors?.maxFailures?.message}
              hint="maxFailures: 0 stops at the first failure."
            >
              <Input {...register('plan.maxFailures')} {...number} />
            </Field>
          </div>
          <label className="inline-choice plan-pause">
            <input type="checkbox" {...register('plan.pauseAfterCanary')} />
            Pause after the canaries, until I resume
          </label>
          <fieldset className="choice-group">
            <legend>Servers the image cannot fit</legend>
            <label className="inline-choice">
              <input type="radio" value="refuse" {...register('plan.onBlocked')} />
              Refuse to start while any server is blocked
            </label>
            <label className="inline-choice">
              <input type="radio" value="skip" {...register('plan.onBlocked')} />
              Skip them, listed with the reason
            </label>
          </fieldset>
        </div>
        <div className="plan-notes" aria-live="polite">
          {notes.length > 0 ? (
            <Message color="information" dismissible={false}>
              <MessageIcon name="circle-info" />
              <MessageBody>
                <strong>Notes on this plan</strong>
                <ul aria-label="Notes on this plan">
                  {notes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
              </MessageBody>
            </Message>
          ) : null}
        </div>
      </div>
    </section>
  );
}
