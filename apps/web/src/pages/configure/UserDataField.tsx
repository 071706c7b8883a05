import { checkCloudConfig, detectUserDataKind } from '@byoi/shared';
import { Textarea } from '@ovhcloud/ods-react';
import { useDeferredValue } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';

const KIND_TEXT = {
  empty: 'Optional. Empty: OVH builds its default Config Drive.',
  'cloud-config': 'Detected: #cloud-config (cloud-init YAML).',
  script: 'Detected: script (#!), run once at first boot.',
  unknown: 'Start the first line with #cloud-config (YAML) or #! (a script, e.g. #!/bin/bash).',
} as const;

/** The multi-line editor: says what cloud-init will see and where the YAML breaks, as you type. */
export function UserDataField({
  value,
  error,
  registration,
}: {
  value: string;
  error: string | undefined;
  registration: UseFormRegisterReturn<'configDriveUserData'>;
}) {
  // Parsing YAML on every keystroke of a 64 KiB document must not make typing lag.
  const text = useDeferredValue(value);
  const kind = detectUserDataKind(text);
  const yaml = kind === 'cloud-config' ? checkCloudConfig(text) : { ok: true as const };
  const lines = Math.min(24, Math.max(8, text.split('\n').length + 1));

  return (
    <Field
      id="configDriveUserData"
      label="Config Drive user data"
      error={error}
      hint={
        <>
          <span
            className={
              kind === 'script' || (kind === 'cloud-config' && yaml.ok)
                ? 'field-hint--ok'
                : undefined
            }
          >
            {KIND_TEXT[kind]}
          </span>
          {!yaml.ok && error === undefined ? (
            <span className="field-error" role="status">
              {' '}
              {yaml.line !== null ? `Line ${yaml.line}: ` : ''}
              {yaml.message}
            </span>
          ) : null}
        </>
      }
    >
      <Textarea
        {...registration}
        className="mono"
        rows={lines}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        placeholder={'#cloud-config\npackages:\n  - htop'}
      />
    </Field>
  );
}
