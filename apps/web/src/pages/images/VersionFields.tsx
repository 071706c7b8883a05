import { CHECKSUM_TYPES, IMAGE_TYPES, inferChecksumType, MAX_HTTP_HEADERS } from '@byoi/shared';
import { Button, Icon, Input, Password, Textarea } from '@ovhcloud/ods-react';
import { useFieldArray, useWatch } from 'react-hook-form';
import type { FieldError, UseFormReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import type { LibraryFormInput, LibraryFormOutput } from './libraryForm.ts';
import { isStoredName } from './libraryForm.ts';

export type LibraryFormApi = UseFormReturn<LibraryFormInput, unknown, LibraryFormOutput>;

const KEEP_STORED_HINT = 'Leave empty to keep the stored value.';

function headerError(form: LibraryFormApi, index: number, column: 'name' | 'value') {
  const rows = form.formState.errors.version?.httpHeaders as
    (Record<string, FieldError | undefined> | undefined)[] | undefined;
  return rows?.[index]?.[column]?.message;
}

/**
 * The version's HTTP headers: names and values, the values masked. In a new version a row under a
 * name the library stores may keep its value empty: the stored value is kept (said beside it).
 */
function HeaderRows({ form, storedNames }: { form: LibraryFormApi; storedNames: string[] }) {
  const { control, register } = form;
  const { fields, append, remove } = useFieldArray({ control, name: 'version.httpHeaders' });
  const rows = useWatch({ control, name: 'version.httpHeaders' });
  const listError = form.formState.errors.version?.httpHeaders?.message;
  return (
    <div>
      {fields.map((field, index) => {
        const stored = isStoredName(rows[index]?.name ?? '', storedNames);
        return (
          <div className="pair-row" key={field.id}>
            <Field
              id={`library-header-${index}-name`}
              label="HTTP header name"
              error={headerError(form, index, 'name')}
            >
              <Input
                {...register(`version.httpHeaders.${index}.name`)}
                placeholder="Authorization"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              id={`library-header-${index}-value`}
              label="HTTP header value"
              error={headerError(form, index, 'value')}
              hint={stored ? KEEP_STORED_HINT : 'Stored encrypted; never shown again.'}
            >
              <Password
                {...register(`version.httpHeaders.${index}.value`)}
                placeholder={stored ? 'Stored value kept' : 'Bearer …'}
                autoComplete="new-password"
                spellCheck={false}
                i18n={{
                  'input.mask.show.button': `Show HTTP header value ${index + 1}`,
                  'input.mask.hide.button': `Hide HTTP header value ${index + 1}`,
                }}
              />
            </Field>
            <div className="pair-row__remove">
              <Button
                type="button"
                variant="ghost"
                color="critical"
                aria-label={`Remove HTTP header ${index + 1}`}
                onClick={() => remove(index)}
              >
                <Icon name="trash" />
              </Button>
            </div>
          </div>
        );
      })}
      {listError ? (
        <p className="field-error" role="alert">
          {listError}
        </p>
      ) : null}
      <Button
        type="button"
        variant="outline"
        size="sm"
        disabled={fields.length >= MAX_HTTP_HEADERS}
        onClick={() => append({ name: '', value: '' })}
      >
        <Icon name="plus" /> Add HTTP header
      </Button>
      <span className="field-hint pair-count">
        {fields.length} of {MAX_HTTP_HEADERS}
      </span>
    </div>
  );
}

/** A version's fields, labelled as in the install form, for a new image and a new version. */
export function VersionFields({
  form,
  storedNames = [],
}: {
  form: LibraryFormApi;
  /** Header names the previous version stores a value for. */
  storedNames?: string[];
}) {
  const { register, formState, setValue } = form;
  const errors = formState.errors.version;
  const checksum = register('version.imageCheckSum', {
    deps: ['version.imageCheckSumType'],
    onChange: (event: { target: { value: string } }) => {
      const inferred = inferChecksumType(event.target.value);
      if (inferred) {
        setValue('version.imageCheckSumType', inferred, { shouldValidate: formState.isSubmitted });
      }
    },
  });
  return (
    <>
      <Field
        id="library-imageURL"
        label="Image URL"
        required
        error={errors?.imageURL?.message}
        hint="The address OVH downloads the image from, e.g. https://images.example.com/debian-12.qcow2."
      >
        <Input
          {...register('version.imageURL')}
          aria-required
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="field-row">
        <Field
          id="library-imageType"
          label="Image type"
          required
          error={errors?.imageType?.message}
        >
          <NativeSelect {...register('version.imageType')} aria-required>
            <option value="">Choose a type</option>
            {IMAGE_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field
          id="library-efiBootloaderPath"
          label="EFI bootloader path"
          error={errors?.efiBootloaderPath?.message}
          hint="Optional, e.g. \efi\debian\grubx64.efi (the reinstall route needs one)."
        >
          <Input
            {...register('version.efiBootloaderPath')}
            className="mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      <div className="field-row">
        <Field
          id="library-imageCheckSum"
          label="Image checksum"
          error={errors?.imageCheckSum?.message}
          hint="Optional. The output of sha256sum (or md5sum, sha1sum, sha512sum)."
        >
          <Input {...checksum} className="mono" autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          id="library-imageCheckSumType"
          label="Checksum type"
          error={errors?.imageCheckSumType?.message}
        >
          <NativeSelect
            {...register('version.imageCheckSumType', { deps: ['version.imageCheckSum'] })}
          >
            <option value="">None</option>
            {CHECKSUM_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <Field
        id="library-checksumFileURL"
        label="Checksum file URL"
        error={errors?.checksumFileURL?.message}
        hint="Optional: a SHA256SUMS-style file that names the image; Check image reads the checksum from it."
      >
        <Input
          {...register('version.checksumFileURL')}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="form-group" role="group" aria-labelledby="library-headers-title">
        <h3 id="library-headers-title">HTTP headers</h3>
        <p>
          Sent with the download, e.g. Authorization for a private image. Values are write-only:
          stored encrypted by the console&apos;s server and never shown again, to anyone.
        </p>
        <HeaderRows form={form} storedNames={storedNames} />
      </div>
      <Field
        id="library-version-notes"
        label="Version notes"
        error={errors?.notes?.message}
        hint="Optional: what this version changes."
      >
        <Textarea {...register('version.notes')} rows={2} />
      </Field>
    </>
  );
}
