import { Textarea } from '@ovhcloud/ods-react';
import type { UseFormReturn } from 'react-hook-form';
import { Field } from '../../ui/Field.tsx';
import { ImageFileFields } from '../../ui/ImageFileFields.tsx';
import { headerPairs, PairRows } from '../../ui/PairRows.tsx';
import type { LibraryFormInput, LibraryFormOutput } from './libraryForm.ts';
import { isStoredName } from './libraryForm.ts';

export type LibraryFormApi = UseFormReturn<LibraryFormInput, unknown, LibraryFormOutput>;

/** A version's fields, labelled as in the install form, for a new image and a new version. */
export function VersionFields({
  form,
  storedNames = [],
}: {
  form: LibraryFormApi;
  /** Header names the previous version stores a value for. */
  storedNames?: string[];
}) {
  const errors = form.formState.errors.version;
  return (
    <>
      <ImageFileFields
        form={form}
        at="version"
        idPrefix="library"
        checksumFileHint="Optional: a SHA256SUMS-style file that names the image; Check image reads the checksum from it."
      />
      <div className="form-group" role="group" aria-labelledby="library-headers-title">
        <h3 id="library-headers-title">HTTP headers</h3>
        <p>
          Sent with the download, e.g. Authorization for a private image. Values are write-only:
          stored encrypted by the console&apos;s server and never shown again, to anyone.
        </p>
        {/* In a new version a row under a name the library stores may keep its value empty: the
            stored value is kept (said beside it). */}
        <PairRows
          form={form}
          config={headerPairs('version.httpHeaders', 'library-header', {
            valueHint: (name) =>
              isStoredName(name, storedNames)
                ? {
                    hint: 'Leave empty to keep the stored value.',
                    placeholder: 'Stored value kept',
                  }
                : { hint: 'Stored encrypted; never shown again.', placeholder: 'Bearer …' },
          })}
        />
      </div>
      <Field
        id="library-version-notes"
        label="Version notes"
        error={errors?.notes?.message}
        hint="Optional: what this version changes."
      >
        <Textarea {...form.register('version.notes')} rows={2} />
      </Field>
    </>
  );
}
