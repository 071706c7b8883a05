import { CHECKSUM_TYPES, IMAGE_TYPES, inferChecksumType, MAX_HTTP_HEADERS } from '@byoi/shared';
import type { CreateRolloutInput } from '@byoi/shared';
import { Button, Icon, Input, Password, Skeleton } from '@ovhcloud/ods-react';
import { useFieldArray, useWatch } from 'react-hook-form';
import type { FieldError, UseFormReturn } from 'react-hook-form';
import { useImage, useImages } from '../../data/images/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

function rowError(form: FormApi, index: number, column: 'name' | 'value'): string | undefined {
  const rows = form.formState.errors.image?.httpHeaders as
    (Record<string, FieldError | undefined> | undefined)[] | undefined;
  return rows?.[index]?.[column]?.message;
}

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

function HeaderRows({ form }: { form: FormApi }) {
  const { control, register } = form;
  const { fields, append, remove } = useFieldArray({ control, name: 'image.httpHeaders' });
  return (
    <div className="form-group" role="group" aria-labelledby="rollout-headers-title">
      <h3 id="rollout-headers-title">HTTP headers</h3>
      <p>Sent with every server&apos;s download, e.g. Authorization for a private image.</p>
      {fields.map((field, index) => (
        <div className="pair-row" key={field.id}>
          <Field
            id={`rollout-header-${index}-name`}
            label="HTTP header name"
            error={rowError(form, index, 'name')}
          >
            <Input
              {...register(`image.httpHeaders.${index}.name`)}
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field
            id={`rollout-header-${index}-value`}
            label="HTTP header value"
            error={rowError(form, index, 'value')}
          >
            <Password
              {...register(`image.httpHeaders.${index}.value`)}
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
      ))}
      <Button
        type="button"
        variant="outline"
        size="sm"
        disabled={fields.length >= MAX_HTTP_HEADERS}
        onClick={() => append({ name: '', value: '' })}
      >
        <Icon name="plus" /> Add HTTP header
      </Button>
    </div>
  );
}

function ImageFields({ form }: { form: FormApi }) {
  const { register, formState, setValue } = form;
  const errors = formState.errors.image;
  const checksum = register('image.imageCheckSum', {
    onChange: (event: { target: { value: string } }) => {
      const inferred = inferChecksumType(event.target.value.trim());
      if (inferred) setValue('image.imageCheckSumType', inferred);
    },
  });
  return (
    <>
      <Field
        id="rollout-imageURL"
        label="Image URL"
        required
        error={errors?.imageURL?.message}
        hint="The address OVH downloads the image from, e.g. https://images.example.com/debian-12.qcow2."
      >
        <Input
          {...register('image.imageURL')}
          aria-required
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="field-row">
        <Field
          id="rollout-imageType"
          label="Image type"
          required
          error={errors?.imageType?.message}
        >
          <NativeSelect {...register('image.imageType')} aria-required>
            <option value="">Choose a type</option>
            {IMAGE_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field
          id="rollout-efiBootloaderPath"
          label="EFI bootloader path"
          error={errors?.efiBootloaderPath?.message}
          hint="e.g. \efi\debian\grubx64.efi (the reinstall route needs one)."
        >
          <Input
            {...register('image.efiBootloaderPath')}
            className="mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      <div className="field-row">
        <Field
          id="rollout-imageCheckSum"
          label="Image checksum"
          error={errors?.imageCheckSum?.message}
          hint="Optional. The output of sha256sum (or md5sum, sha1sum, sha512sum)."
        >
          <Input {...checksum} className="mono" autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          id="rollout-imageCheckSumType"
          label="Checksum type"
          error={errors?.imageCheckSumType?.message}
        >
          <NativeSelect {...register('image.imageCheckSumType')}>
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
        id="rollout-checksumFileURL"
        label="Checksum file URL"
        error={errors?.checksumFileURL?.message}
        hint="Optional: a SHA256SUMS-style file that names the image; the preflight reads the checksum from it."
      >
        <Input
          {...register('image.checksumFileURL')}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <HeaderRows form={form} />
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
