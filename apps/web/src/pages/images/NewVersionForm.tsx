import type { LibraryImageDto } from '@byoi/shared';
import { Button } from '@ovhcloud/ods-react';
import { useForm } from 'react-hook-form';
import { useAddImageVersion } from '../../data/images/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import { applyLibraryFieldErrors } from './libraryErrors.ts';
import type { LibraryFormInput, LibraryFormOutput } from './libraryForm.ts';
import {
  formFromVersion,
  headersWithoutValue,
  newVersionResolver,
  versionRequestOf,
} from './libraryForm.ts';
import { VersionFields } from './VersionFields.tsx';

/**
 * A new version, starting as the latest: its header names come with empty values, which keep the
 * values the latest stores (the browser never has them) unless the operator types new ones.
 */
export function NewVersionForm({
  image,
  onDone,
}: {
  image: LibraryImageDto;
  onDone: (version: number | null) => void;
}) {
  const add = useAddImageVersion(image.id);
  const storedNames = image.latest.httpHeaders.map((header) => header.name);
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();
  const form = useForm<LibraryFormInput, unknown, LibraryFormOutput>({
    resolver: newVersionResolver,
    mode: 'onBlur',
    reValidateMode: 'onChange',
    shouldFocusError: false,
    defaultValues: formFromVersion(image.latest),
  });
  const { handleSubmit, setError } = form;

  const onValid = (data: LibraryFormOutput) => {
    const missing = headersWithoutValue(form.getValues('version.httpHeaders'), storedNames);
    if (missing.length > 0) {
      for (const index of missing) {
        setError(
          `version.httpHeaders.${index}.value`,
          {
            type: 'required',
            message:
              'Enter the HTTP header value: the library stores no value under this name to keep.',
          },
          { shouldFocus: index === missing[0] },
        );
      }
      return;
    }
    add.mutate(versionRequestOf(data.version), {
      onSuccess: (detail) => onDone(detail.image.latest.version),
      onError: (error) => applyLibraryFieldErrors(error, setError, ['version'], 'version.'),
    });
  };

  return (
    <form
      noValidate
      className="form-section library-form"
      aria-labelledby="new-version-title"
      ref={formRef}
      onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
    >
      <h2 id="new-version-title">New version (v{image.latest.version + 1})</h2>
      <p>
        Filled in from v{image.latest.version}. Change what differs; the HTTP header values stay
        those stored unless you type new ones, and a header you remove is dropped.
      </p>
      <VersionFields form={form} storedNames={storedNames} />
      {add.isError ? <ErrorMessage error={add.error} title="The version was not added." /> : null}
      <div className="form-actions">
        <Button type="button" variant="ghost" onClick={() => onDone(null)}>
          Cancel
        </Button>
        <Button type="submit" loading={add.isPending} disabled={add.isPending}>
          Add the version
        </Button>
      </div>
    </form>
  );
}
