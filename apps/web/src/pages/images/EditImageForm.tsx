import { createLibraryImageSchema } from '@byoi/shared';
import type { LibraryImageDto } from '@byoi/shared';
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Input, Textarea } from '@ovhcloud/ods-react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { useUpdateImage } from '../../data/images/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { applyLibraryFieldErrors } from './libraryErrors.ts';

const schema = z.object({
  name: createLibraryImageSchema.shape.name,
  notes: createLibraryImageSchema.shape.notes,
});
type EditInput = z.input<typeof schema>;
type EditOutput = z.output<typeof schema>;

/** The image's name and notes; its versions are never edited, a change is a new version. */
export function EditImageForm({ image, onDone }: { image: LibraryImageDto; onDone: () => void }) {
  const update = useUpdateImage(image.id);
  const form = useForm<EditInput, unknown, EditOutput>({
    resolver: zodResolver(schema),
    mode: 'onBlur',
    defaultValues: { name: image.name, notes: image.notes },
  });
  const { register, handleSubmit, formState, setError } = form;
  return (
    <form
      noValidate
      className="form-section library-form"
      aria-label="Edit name and notes"
      onSubmit={(event) =>
        void handleSubmit((data) =>
          update.mutate(data, {
            onSuccess: onDone,
            onError: (error) => applyLibraryFieldErrors(error, setError, ['name', 'notes']),
          }),
        )(event)
      }
    >
      <h2>Name and notes</h2>
      <Field id="edit-name" label="Name" required error={formState.errors.name?.message}>
        <Input {...register('name')} aria-required autoComplete="off" />
      </Field>
      <Field id="edit-notes" label="Notes" error={formState.errors.notes?.message}>
        <Textarea {...register('notes')} rows={3} />
      </Field>
      {update.isError ? <ErrorMessage error={update.error} title="Nothing was changed." /> : null}
      <div className="form-actions">
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={update.isPending} disabled={update.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}
