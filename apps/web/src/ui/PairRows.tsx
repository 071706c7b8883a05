import { MAX_HTTP_HEADERS, MAX_METADATA } from '@byoi/shared';
import { Button, Icon, Input, Password } from '@ovhcloud/ods-react';
import type { ChangeEvent, ClipboardEvent } from 'react';
import { Controller, useFieldArray, useWatch } from 'react-hook-form';
import type { ArrayPath, FieldArray, FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { errorAt } from './errorAt.ts';
import { Field } from './Field.tsx';

/** What a value field says of itself, per row (a library version keeps a stored value). */
interface ValueHint {
  hint?: string;
  placeholder?: string;
}

export interface PairConfig {
  /** The field array's path in the form values: `httpHeaders`, `image.httpHeaders`, … */
  name: string;
  /** Ids of the rows' fields: `${idPrefix}-${index}-${column}`. */
  idPrefix: string;
  /** The first column's name in the form values; the second is always `value`. */
  first: 'name' | 'key';
  firstLabel: string;
  secondLabel: string;
  /** "HTTP header" → buttons "Add HTTP header", "Remove HTTP header 2". */
  noun: string;
  max: number;
  /** Masked values (HTTP headers). */
  secret: boolean;
  firstPlaceholder?: string;
  secondPlaceholder?: string;
  /** The value field's hint and placeholder for a row whose first column reads `first`. */
  valueHint?: (first: string) => ValueHint;
}

type Row = Record<string, string | undefined>;

/** HTTP header rows (masked values) at `name` in a form's values. */
export const headerPairs = (
  name: string,
  idPrefix: string,
  more: Partial<PairConfig> = {},
): PairConfig => ({
  name,
  idPrefix,
  first: 'name',
  firstLabel: 'HTTP header name',
  secondLabel: 'HTTP header value',
  noun: 'HTTP header',
  max: MAX_HTTP_HEADERS,
  secret: true,
  firstPlaceholder: 'Authorization',
  ...more,
});

/** Config Drive metadata rows at `name` in a form's values. */
export const metadataPairs = (name: string, idPrefix: string): PairConfig => ({
  name,
  idPrefix,
  first: 'key',
  firstLabel: 'Metadata key',
  secondLabel: 'Metadata value',
  noun: 'metadata',
  max: MAX_METADATA,
  secret: false,
  firstPlaceholder: 'role',
  secondPlaceholder: 'webserver',
});

/**
 * Add/remove rows of name/value pairs (HTTP headers, Config Drive metadata), up to `max`, for any
 * form that holds them as an array of two-string rows at `config.name`.
 */
export function PairRows<T extends FieldValues, R extends FieldValues>({
  form,
  config,
}: {
  form: UseFormReturn<T, unknown, R>;
  config: PairConfig;
}) {
  const { control, register, formState } = form;
  const name = config.name as ArrayPath<T>;
  const { fields, append, remove } = useFieldArray({ control, name });
  const rows = (useWatch({ control, name: config.name as Path<T> }) ?? []) as Row[];
  const messageAt = (path: string) => errorAt(formState.errors, path);
  const arrayError = messageAt(config.name);

  return (
    <div>
      {fields.map((field, index) => {
        const row = `${config.name}.${index}`;
        const firstValue = rows[index]?.[config.first] ?? '';
        const said = config.valueHint?.(firstValue) ?? {};
        return (
          <div className="pair-row" key={field.id}>
            <Field
              id={`${config.idPrefix}-${index}-${config.first}`}
              label={config.firstLabel}
              error={messageAt(`${row}.${config.first}`)}
            >
              <Input
                {...register(`${row}.${config.first}` as Path<T>)}
                placeholder={config.firstPlaceholder}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              id={`${config.idPrefix}-${index}-value`}
              label={config.secondLabel}
              error={messageAt(`${row}.value`)}
              hint={said.hint}
            >
              {/* Controlled: a single-line input silently drops pasted line breaks, which would
                  send another value than the one copied (a token split in two). The form keeps
                  the text as pasted, so the one-line rule says what is wrong instead. */}
              <Controller
                control={control}
                name={`${row}.value` as Path<T>}
                render={({ field: { value: current, onChange, onBlur, ref, name: path } }) => {
                  const value = typeof current === 'string' ? current : '';
                  const props = {
                    ref,
                    name: path,
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
                    placeholder: said.placeholder ?? config.secondPlaceholder,
                    autoComplete: config.secret ? 'new-password' : 'off',
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
        onClick={() => append({ [config.first]: '', value: '' } as FieldArray<T, ArrayPath<T>>)}
      >
        <Icon name="plus" /> Add {config.noun}
      </Button>
      <span className="field-hint pair-count">
        {fields.length >= config.max
          ? `The limit of ${config.max} is reached: remove one to add another.`
          : `${fields.length} of ${config.max}`}
      </span>
    </div>
  );
}
