import type { CreateRolloutInput } from '@byoi/shared';
import { Skeleton } from '@ovhcloud/ods-react';
import { useWatch } from 'react-hook-form';
import type { UseFormReturn } from 'react-hook-form';
import { useImage, useImages } from '../../data/images/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { ImageFileFields } from '../../ui/ImageFileFields.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import { headerPairs, PairRows } from '../../ui/PairRows.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

/** The chosen library version's facts: what every server will be given. */
function LibraryVersion({ form, id }: { form: FormApi; id: string }) {
  const { register, formState, control } = form;
  const detail = useImage(id, { enabled: id !== '' });
  const version = useWatch({ control, name: 'image.version' });
  if (id === '') return null;
  if (detail.isError) {
    return <ErrorMessage error={detail.error} title="Could not read the library image." />;
  }
  if (detail.isPending) return <Skeleton />;
  const chosen = detail.data.versions.find((v) => String(v.version) === version);
  return (
    <>
      <Field
        id="rollout-image-version"
        label="Version"
        error={formState.errors.image?.version?.message}
      >
        <NativeSelect {...register('image.version')}>
          <option value="">Choose a version</option>
          {detail.data.versions.map((v) => (
            <option key={v.version} value={v.version}>
              v{v.version}
              {v.version === detail.data.image.latest.version ? ' (latest)' : ''}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {chosen ? (
        <dl className="facts" aria-label={`v${chosen.version} of ${detail.data.image.name}`}>
          <dt>Image URL</dt>
          <dd className="verbatim">{chosen.imageURL}</dd>
          <dt>Image type</dt>
          <dd>{chosen.imageType}</dd>
          <dt>Checksum</dt>
          <dd className="verbatim">
            {chosen.imageCheckSum
              ? `${chosen.imageCheckSumType ?? ''} ${chosen.imageCheckSum}`
              : 'None'}
          </dd>
          <dt>EFI bootloader path</dt>
          <dd className="verbatim">{chosen.efiBootloaderPath ?? 'None'}</dd>
          <dt>HTTP headers</dt>
          <dd>
            {chosen.httpHeaders.length > 0
              ? `${chosen.httpHeaders.map((h) => h.name).join(', ')} (values stored in the library)`
              : 'None'}
          </dd>
        </dl>
      ) : null}
    </>
  );
}

function LibraryImage({ form }: { form: FormApi }) {
  const { register, formState, control, setValue } = form;
  const images = useImages('');
  const id = useWatch({ control, name: 'image.libraryImageId' });
  if (images.isError) {
    return <ErrorMessage error={images.error} title="Could not read the image library." />;
  }
  const list = images.data?.images ?? [];
  return (
    <>
      <Field
        id="rollout-library-image"
        label="Library image"
        required
        error={formState.errors.image?.libraryImageId?.message}
        hint={
          images.data && list.length === 0
            ? 'The library is empty: add images on the Images page, or type the image fields.'
            : 'Its HTTP header values stay in the library; the console’s server adds them.'
        }
      >
        <NativeSelect
          {...register('image.libraryImageId', {
            onChange: (event: { target: { value: string } }) => {
              const picked = list.find((image) => image.id === event.target.value);
              setValue('image.version', picked ? String(picked.latest.version) : '');
            },
          })}
          aria-required
          aria-busy={images.isPending}
        >
          <option value="">Choose an image</option>
          {list.map((image) => (
            <option key={image.id} value={image.id}>
              {image.name}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <LibraryVersion form={form} id={id} />
    </>
  );
}

function ImageFields({ form }: { form: FormApi }) {
  return (
    <>
      <ImageFileFields
        form={form}
        at="image"
        idPrefix="rollout"
        checksumFileHint="Optional: a SHA256SUMS-style file that names the image; the preflight reads the checksum from it."
      />
      <div className="form-group" role="group" aria-labelledby="rollout-headers-title">
        <h3 id="rollout-headers-title">HTTP headers</h3>
        <p>Sent with every server&apos;s download, e.g. Authorization for a private image.</p>
        <PairRows form={form} config={headerPairs('image.httpHeaders', 'rollout-header')} />
      </div>
    </>
  );
}

/** The image: a version of the library, or the install form's image fields typed here. */
export function ImageSection({ form }: { form: FormApi }) {
  const source = useWatch({ control: form.control, name: 'image.source' });
  return (
    <section className="form-section" aria-labelledby="rollout-image">
      <h2 id="rollout-image">Image</h2>
      <p>One image for every server, probed once by the preflight.</p>
      <fieldset className="choice-group">
        <legend className="visually-hidden">Where the image comes from</legend>
        <label className="inline-choice">
          <input type="radio" value="library" {...form.register('image.source')} />
          From the image library
        </label>
        <label className="inline-choice">
          <input type="radio" value="fields" {...form.register('image.source')} />
          Type the image fields
        </label>
      </fieldset>
      {source === 'library' ? <LibraryImage form={form} /> : <ImageFields form={form} />}
    </section>
  );
}
