import { Button, Icon, Input, Password } from '@ovhcloud/ods-react';
import type { ChangeEvent, ClipboardEvent } from 'react';
import { Controller, useFieldArray } from 'react-hook-form';
import type { FieldErrors, UseFormReturn } from 'react-hook-form';
import type { ByoiForm, ByoiFormInput } from '@byoi/shared';
import { Field } from '../../ui/Field.tsx';

type FormApi = UseFormReturn<ByoiFormInput, unknown, ByoiForm>;

interface PairConfig {
  name: 'httpHeaders' | 'configDriveMetadata';
  /** Column names in the form values. */
  first: 'name' | 'key';
  firstLabel: string;
  secondLabel: string;
  /** "HTTP header" → buttons "Add HTTP header", "Remove HTTP header 2". */
  noun: string;
  max: number;
  secret: boolean;
  firstPlaceholder: string;
  secondPlaceholder: string;
}

function rowError(
  errors: FieldErrors<ByoiFormInput>,
  name: PairConfig['name'],
  index: number,
  column: string,
) {
  const rows = errors[name] as unknown as
    (Record<string, { message?: string } | undefined> | undefined)[] | undefined;
  return rows?.[index]?.[column]?.message;
}

/** Add/remove rows of name/value pairs (HTTP headers, Config Drive metadata), up to `max`. */
export function PairRows({ form, config }: { form: FormApi; config: PairConfig }) {
  const { control, register, formState } = form;
  // useFieldArray's generics want one concrete path; both arrays hold two-string rows.
  const { fields, append, remove } = useFieldArray({ control, name: config.name as 'httpHeaders' });
  const prefix = config.name === 'httpHeaders' ? 'header' : 'metadata';
  const arrayError = (formState.errors[config.name] as { message?: string } | undefined)?.message;

  return (
    <div>
      {fields.map((field, index) => {
        const firstPath = `${config.name}.${index}.${config.first}` as 'httpHeaders.0.name';
        const secondPath = `${config.name}.${index}.value` as 'httpHeaders.0.value';
        const firstError = rowError(formState.errors, config.name, index, config.first);
        const secondError = rowError(formState.errors, config.name, index, 'value');
        return (
          <div className="pair-row" key={field.id}>
            <Field
              id={`${prefix}-${index}-${config.first}`}
              label={config.firstLabel}
              error={firstError}
            >
              <Input
                {...register(firstPath)}
                placeholder={config.firstPlaceholder}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field id={`${prefix}-${index}-value`} label={config.secondLabel} error={secondError}>
              {/* Controlled: a single-line input silently drops pasted line breaks, which would
                  send another value than the one copied (a token split in two). The form keeps
                  the text as pasted, so the one-line rule says what is wrong instead. */}
              <Controller
                control={control}
                name={secondPath}
                render={({ field: { value: current, onChange, onBlur, ref, name } }) => {
                  const value = current ?? '';
                  const props = {
                    ref,
                    name,
                    value,
                    onBlur,
                    onChange: (event: ChangeEvent<HTMLInputElement>) =>
                      onChange(event.target.value),
                    onPaste: (event: ClipboardEvent<HTMLInputElement>) => {
                      const pasted = event.clipboardData.getData('text');
                      if (!/[\r\n]/.test(pasted)) return;
                      event.preventDefault();
                      const input = event.currentTarget;
                      const start = input.selectionStart ?? value.length;
                      const end = input.selectionEnd ?? value.length;
                      onChange(value.slice(0, start) + pasted + value.slice(end));
                    },
                    placeholder: config.secondPlaceholder,
                    autoComplete: 'off',
                    spellCheck: false,
                  };
                  return config.secret ? (
                    <Password
                      {...props}
                      i18n={{
                        'input.mask.show.button': `Show ${config.secondLabel} ${index + 1}`,
                        'input.mask.hide.button': `Hide ${config.secondLabel} ${index + 1}`,
                      }}
                    />
                  ) : (
                    <Input {...props} />
                  );
                }}
              />
            </Field>
            <div className="pair-row__remove">
              <Button
                type="button"
                variant="ghost"
                color="critical"
                aria-label={`Remove ${config.noun} ${index + 1}`}
                onClick={() => remove(index)}
              >
                <Icon name="trash" />
              </Button>
            </div>
          </div>
        );
      })}
      {arrayError ? (
        <p className="field-error" role="alert">
          {arrayError}
        </p>
      ) : null}
      <Button
        type="button"
        variant="outline"
        size="sm"
        disabled={fields.length >= config.max}
        onClick={() => append({ [config.first]: '', value: '' } as { name: string; value: string })}
      >
        <Icon name="plus" /> Add {config.noun}
      </Button>
      <span className="field-hint" style={{ marginLeft: 12 }}>
        {fields.length >= config.max
          ? `The limit of ${config.max} is reached: remove one to add another.`
          : `${fields.length} of ${config.max}`}
      </span>
    </div>
  );
}
