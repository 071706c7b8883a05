import type { CreateRolloutInput } from '@byoi/shared';
import { Textarea } from '@ovhcloud/ods-react';
import type { UseFormReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';
import { metadataPairs, PairRows } from '../../ui/PairRows.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

/** What every server gets besides the image. No hostname: one name for a fleet would be wrong. */
export function CustomizationsSection({ form }: { form: FormApi }) {
  const { register, formState } = form;
  const errors = formState.errors.customizations;
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
        <PairRows
          form={form}
          config={metadataPairs('customizations.configDriveMetadata', 'rollout-metadata')}
        />
      </div>
    </section>
  );
}
