import { MAX_METADATA } from '@byoi/shared';
import type { CreateRolloutInput } from '@byoi/shared';
import { Button, Icon, Input, Textarea } from '@ovhcloud/ods-react';
import { useFieldArray } from 'react-hook-form';
import type { FieldError, UseFormReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

function rowError(form: FormApi, index: number, column: 'key' | 'value'): string | undefined {
  const rows = form.formState.errors.customizations?.configDriveMetadata as
    (Record<string, FieldError | undefined> | undefined)[] | undefined;
  return rows?.[index]?.[column]?.message;
}

/** What every server gets besides the image. No hostname: one name for a fleet would be wrong. */
export function CustomizationsSection({ form }: { form: FormApi }) {
  const { register, control, formState } = form;
  const errors = formState.errors.customizations;
  const { fields, append, remove } = useFieldArray({
    control,
    name: 'customizations.configDriveMetadata',
  });
  return (
    <section className="form-section" aria-labelledby="rollout-customizations">
      <h2 id="rollout-customizations">Customizations</h2>
      <p>
        The same Config Drive for every server. There is no hostname: each server keeps its own, or
        sets it from the user data.
      </p>
      <Field
        id="rollout-configDriveUserData"
        label="Config Drive user data"
        error={errors?.configDriveUserData?.message}
        hint="Optional. Starts with #cloud-config (cloud-init YAML) or #! (a script)."
      >
        <Textarea
          {...register('customizations.configDriveUserData')}
          className="mono"
          rows={6}
          spellCheck={false}
          placeholder={'#cloud-config\npackages:\n  - htop'}
        />
      </Field>
      <Field
        id="rollout-sshKey"
        label="SSH public key"
        error={errors?.sshKey?.message}
        hint="Optional: one line of your .pub file, e.g. ssh-ed25519 AAAAC3… me@laptop."
      >
        <Textarea
          {...register('customizations.sshKey')}
          className="mono"
          rows={2}
          spellCheck={false}
        />
      </Field>
      <div className="form-group" role="group" aria-labelledby="rollout-metadata-title">
        <h3 id="rollout-metadata-title">Config Drive metadata</h3>
        <p>Key and value pairs every server reads from its Config Drive, e.g. role = webserver.</p>
        {fields.map((field, index) => (
          <div className="pair-row" key={field.id}>
            <Field
              id={`rollout-metadata-${index}-key`}
              label="Metadata key"
              error={rowError(form, index, 'key')}
            >
              <Input
                {...register(`customizations.configDriveMetadata.${index}.key`)}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              id={`rollout-metadata-${index}-value`}
              label="Metadata value"
              error={rowError(form, index, 'value')}
            >
              <Input
                {...register(`customizations.configDriveMetadata.${index}.value`)}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <div className="pair-row__remove">
              <Button
                type="button"
                variant="ghost"
                color="critical"
                aria-label={`Remove metadata ${index + 1}`}
                onClick={() => remove(index)}
              >
                <Icon name="trash" />
              </Button>
            </div>
          </div>
        ))}
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={fields.length >= MAX_METADATA}
          onClick={() => append({ key: '', value: '' })}
        >
          <Icon name="plus" /> Add metadata
        </Button>
      </div>
    </section>
  );
}
