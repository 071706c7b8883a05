import { CHECKSUM_TYPES, IMAGE_TYPES, inferChecksumType } from '@byoi/shared';
import { Input } from '@ovhcloud/ods-react';
import type { FieldValues, Path, PathValue, UseFormReturn } from 'react-hook-form';
import { errorAt } from './errorAt.ts';
import { Field } from './Field.tsx';
import { NativeSelect } from './NativeSelect.tsx';

/**
 * The image's own fields — URL, type, EFI bootloader path, checksum and its type, checksum file —
 * labelled as in the install form, for any form that holds them under `at` (a library version,
 * a rollout's image). A checksum typed or pasted sets its type from its length.
 */
export function ImageFileFields<T extends FieldValues, R extends FieldValues>({
  form,
  at,
  idPrefix,
  checksumFileHint,
}: {
  form: UseFormReturn<T, unknown, R>;
  /** Where the fields are in the form values: `version`, `image`. */
  at: string;
  /** Ids of the fields: `${idPrefix}-imageURL`, … */
  idPrefix: string;
  /** What reads the checksum file on this page. */
  checksumFileHint: string;
}) {
  const { register, formState, setValue } = form;
  const path = (field: string) => `${at}.${field}` as Path<T>;
  const errorOf = (field: string) => errorAt(formState.errors, `${at}.${field}`);
  const checksum = register(path('imageCheckSum'), {
    deps: [path('imageCheckSumType')],
    onChange: (event: { target: { value: string } }) => {
      const inferred = inferChecksumType(event.target.value.trim());
      if (inferred) {
        setValue(path('imageCheckSumType'), inferred as PathValue<T, Path<T>>, {
          shouldValidate: formState.isSubmitted,
        });
      }
    },
  });
  return (
    <>
      <Field
        id={`${idPrefix}-imageURL`}
        label="Image URL"
        required
        error={errorOf('imageURL')}
        hint="The address OVH downloads the image from, e.g. https://images.example.com/debian-12.qcow2."
      >
        <Input
          {...register(path('imageURL'))}
          aria-required
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="field-row">
        <Field
          id={`${idPrefix}-imageType`}
          label="Image type"
          required
          error={errorOf('imageType')}
        >
          <NativeSelect {...register(path('imageType'))} aria-required>
            <option value="">Choose a type</option>
            {IMAGE_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field
          id={`${idPrefix}-efiBootloaderPath`}
          label="EFI bootloader path"
          error={errorOf('efiBootloaderPath')}
          hint="Optional, e.g. \efi\debian\grubx64.efi (the reinstall route needs one)."
        >
          <Input
            {...register(path('efiBootloaderPath'))}
            className="mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      <div className="field-row">
        <Field
          id={`${idPrefix}-imageCheckSum`}
          label="Image checksum"
          error={errorOf('imageCheckSum')}
          hint="Optional. The output of sha256sum (or md5sum, sha1sum, sha512sum)."
        >
          <Input {...checksum} className="mono" autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          id={`${idPrefix}-imageCheckSumType`}
          label="Checksum type"
          error={errorOf('imageCheckSumType')}
        >
          <NativeSelect {...register(path('imageCheckSumType'), { deps: [path('imageCheckSum')] })}>
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
        id={`${idPrefix}-checksumFileURL`}
        label="Checksum file URL"
        error={errorOf('checksumFileURL')}
        hint={checksumFileHint}
      >
        <Input
          {...register(path('checksumFileURL'))}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
    </>
  );
}
