import { Button, Input, Message, MessageBody, MessageIcon, Textarea } from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { useCreateImage } from '../../data/images/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import type { LibraryFormInput, LibraryFormOutput } from './libraryForm.ts';
import {
  createImageResolver,
  createRequestOf,
  EMPTY_LIBRARY_FORM,
  headersWithoutValue,
} from './libraryForm.ts';
import { applyLibraryFieldErrors } from './libraryErrors.ts';
import { VersionFields } from './VersionFields.tsx';
import './images.css';

export default function NewImagePage() {
  const canOperate = useCanOperate();
  const navigate = useNavigate();
  const create = useCreateImage();
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();
  const form = useForm<LibraryFormInput, unknown, LibraryFormOutput>({
    resolver: createImageResolver,
    mode: 'onBlur',
    reValidateMode: 'onChange',
    shouldFocusError: false,
    defaultValues: EMPTY_LIBRARY_FORM,
  });
  const { register, handleSubmit, formState, setError } = form;

  useEffect(() => {
    document.title = 'Add an image · BYOI Console';
  }, []);

  const crumbs = [{ label: 'Images', to: '/images' }, { label: 'Add an image' }];
  if (!canOperate) {
    return (
      <>
        <PageBreadcrumb items={crumbs} />
        <h1 className="page-title">Add an image</h1>
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            Your role is viewer: adding images to the library needs the operator role.{' '}
            <RouterLink to="/images">Back to the images</RouterLink>
          </MessageBody>
        </Message>
      </>
    );
  }

  const onValid = (data: LibraryFormOutput) => {
    // A first version has no stored value to keep: every header needs one.
    const missing = headersWithoutValue(form.getValues('version.httpHeaders'), []);
    if (missing.length > 0) {
      for (const index of missing) {
        setError(
          `version.httpHeaders.${index}.value`,
          { type: 'required', message: 'Enter the HTTP header value, or remove this header.' },
          { shouldFocus: index === missing[0] },
        );
      }
      return;
    }
    create.mutate(createRequestOf(data), {
      onSuccess: (detail) => void navigate(`/images/${encodeURIComponent(detail.image.id)}`),
      onError: (error) => applyLibraryFieldErrors(error, setError, ['name', 'notes', 'version']),
    });
  };

  return (
    <>
      <PageBreadcrumb items={crumbs} />
      <h1 className="page-title">Add an image</h1>
      <p className="page-lead">
        A named image and its first version: where OVH downloads it, how the download is checked,
        the HTTP headers it needs. Operators install it on any server from the library.
      </p>
      <form
        noValidate
        className="library-form"
        aria-label="Add an image"
        ref={formRef}
        onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
      >
        <p className="field-hint required-legend">
          Fields marked <span aria-hidden="true">*</span> are required.
        </p>
        <section className="form-section" aria-labelledby="new-image-about">
          <h2 id="new-image-about">Image</h2>
          <Field
            id="library-name"
            label="Name"
            required
            error={formState.errors.name?.message}
            hint="How operators find it, e.g. Debian 12 web servers."
          >
            <Input {...register('name')} aria-required autoComplete="off" />
          </Field>
          <Field
            id="library-notes"
            label="Notes"
            error={formState.errors.notes?.message}
            hint="Optional: what the image is for, who maintains it."
          >
            <Textarea {...register('notes')} rows={3} />
          </Field>
        </section>
        <section className="form-section" aria-labelledby="new-image-version">
          <h2 id="new-image-version">First version</h2>
          <p>Version 1 of the image. Later changes are new versions; no version is ever edited.</p>
          <VersionFields form={form} />
        </section>
        {create.isError ? (
          <ErrorMessage error={create.error} title="The image was not added." />
        ) : null}
        <div className="form-actions">
          <Button type="button" variant="ghost" onClick={() => void navigate('/images')}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={create.isPending}>
            Add the image
          </Button>
        </div>
      </form>
    </>
  );
}
