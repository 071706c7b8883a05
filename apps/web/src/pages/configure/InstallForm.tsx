import {
  byoiFormSchemaFor,
  CHECKSUM_TYPES,
  formatGiBFloor,
  formatMemory,
  IMAGE_TYPES,
  inferChecksumType,
  MAX_HTTP_HEADERS,
  MAX_METADATA,
} from '@byoi/shared';
import type { ByoiForm, ByoiFormInput, HardwareDto, InstallRoute } from '@byoi/shared';
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Input, Message, MessageBody, MessageIcon, Textarea } from '@ovhcloud/ods-react';
import { useEffect, useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../data/client.ts';
import { useStartInstall } from '../../data/servers/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import { ApiRequestPreview } from './ApiRequestPreview.tsx';
import { CheckVerdict } from './CheckVerdict.tsx';
import { Field } from './Field.tsx';
import type { ImageCheckState } from './imageCheck.ts';
import { ImageCheckPanel } from './ImageCheckPanel.tsx';
import { saveForm } from './formStorage.ts';
import { PairRows } from './PairRows.tsx';
import { applyFieldErrors } from './serverErrors.ts';
import { UserDataField } from './UserDataField.tsx';

export const CONFIRM_LABEL = 'Type the server name to confirm';

/** Blank form. Image type starts unchosen: the operator must say what the file is. */
export const EMPTY_FORM = {
  imageURL: '',
  // '' is not a valid ImageType: it renders the "Choose…" option and fails validation until picked.
  imageType: '' as ByoiFormInput['imageType'],
  imageCheckSum: '',
  imageCheckSumType: '',
  httpHeaders: [],
  configDriveUserData: '',
  configDriveMetadata: [],
  customHostname: '',
  sshKey: '',
  efiBootloaderPath: '',
} satisfies ByoiFormInput;

function messageOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const message = (error as { message?: unknown }).message;
    return typeof message === 'string' && message !== '' ? message : undefined;
  }
  return undefined;
}

export interface InstallFormProps {
  sn: string;
  route: InstallRoute;
  hardware: HardwareDto;
  /** The server's current EFI bootloader path at OVH: the field starts with it. */
  serverEfiBootloaderPath?: string | null;
  initialValues: Partial<ByoiFormInput> | undefined;
  /** Header rows came back from storage or a retry without their (secret) values. */
  headerValuesCleared: boolean;
}

export function InstallForm({
  sn,
  route,
  hardware,
  serverEfiBootloaderPath = null,
  initialValues,
  headerValuesCleared,
}: InstallFormProps) {
  const navigate = useNavigate();
  const schema = useMemo(() => byoiFormSchemaFor(route), [route]);
  const form = useForm<ByoiFormInput, unknown, ByoiForm>({
    resolver: zodResolver(schema),
    mode: 'onBlur',
    reValidateMode: 'onChange',
    // RHF focuses in registration order; the operator expects the first error on screen.
    shouldFocusError: false,
    defaultValues: {
      ...EMPTY_FORM,
      ...(serverEfiBootloaderPath ? { efiBootloaderPath: serverEfiBootloaderPath } : {}),
      ...initialValues,
    },
  });
  const { register, handleSubmit, formState, setValue, setError, control } = form;
  const errors = formState.errors;
  const values = useWatch({ control }) as ByoiFormInput;
  const [autoType, setAutoType] = useState<string | undefined>(undefined);
  const [confirmText, setConfirmText] = useState('');
  const [pageErrors, setPageErrors] = useState<string[]>([]);
  const [imageCheck, setImageCheck] = useState<ImageCheckState>({});
  const startInstall = useStartInstall(sn);
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();

  // Every change is kept for a reload or an "Edit and retry"; header values are dropped on save.
  useEffect(() => saveForm(sn, values), [sn, values]);

  // The pair rules (both or neither, length vs type) put their message on one field of the pair:
  // validating one field re-validates the other so the message appears whichever was edited last.
  const checksumField = register('imageCheckSum', {
    deps: ['imageCheckSumType'],
    onChange: (event: { target: { value: string } }) => {
      const inferred = inferChecksumType(event.target.value);
      if (inferred) {
        setValue('imageCheckSumType', inferred, { shouldValidate: formState.isSubmitted });
        setAutoType(inferred);
      }
    },
  });
  const checksumTypeField = register('imageCheckSumType', {
    deps: ['imageCheckSum'],
    onChange: () => setAutoType(undefined),
  });

  const confirmed = confirmText.trim() === sn;
  const pending = startInstall.isPending;
  const progressPath = `/servers/${encodeURIComponent(sn)}/install/progress`;

  const onValid = (data: ByoiForm) => {
    setPageErrors([]);
    startInstall.mutate(data, {
      onSuccess: () => void navigate(progressPath),
      onError: (error) => {
        if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
          const rest = applyFieldErrors(error.fieldErrors, setError);
          setPageErrors([error.message, ...rest]);
        } else {
          setPageErrors([]);
        }
      },
    });
  };

  const limit = formatGiBFloor(hardware.imageLimitBytes);
  const apiError = startInstall.error;

  return (
    <form
      noValidate
      aria-label={`Install Bring Your Own Image - byoi on ${sn}`}
      ref={formRef}
      onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
    >
      {headerValuesCleared ? (
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            Your previous values are back, except HTTP header values: they are secrets and are never
            kept. Type them again before you confirm.
          </MessageBody>
        </Message>
      ) : null}

      <section className="form-section" aria-labelledby="section-image">
        <h2 id="section-image">Image</h2>
        <p>Where OVH downloads your image from, and how to check it.</p>
        <Field
          id="imageURL"
          label="Image URL"
          error={errors.imageURL?.message}
          hint={
            <>
              This server has {formatMemory(hardware.memoryBytes)} of RAM. The image must be smaller
              than the server&apos;s RAM minus 3 GiB: at most {limit}.
            </>
          }
        >
          <Input
            {...register('imageURL')}
            type="url"
            inputMode="url"
            placeholder="https://images.example.com/debian-12-generic-amd64.qcow2"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <div className="field-row">
          <Field
            id="imageType"
            label="Image type"
            error={errors.imageType?.message}
            hint="The format the file really is: OVH checks it."
          >
            <NativeSelect {...register('imageType')}>
              <option value="">Choose a type</option>
              {IMAGE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <div />
        </div>
        <div className="field-row">
          <Field
            id="imageCheckSum"
            label="Image checksum"
            error={errors.imageCheckSum?.message}
            hint="Optional. The output of sha256sum (or md5sum, sha1sum, sha512sum) for the image."
          >
            <Input {...checksumField} className="mono" autoComplete="off" spellCheck={false} />
          </Field>
          <Field
            id="imageCheckSumType"
            label="Checksum type"
            error={errors.imageCheckSumType?.message}
            hint={
              autoType !== undefined && values.imageCheckSumType === autoType
                ? "Detected from the checksum's length"
                : 'Required with a checksum; leave empty without one.'
            }
          >
            <NativeSelect {...checksumTypeField}>
              <option value="">None</option>
              {CHECKSUM_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </div>
      </section>

      <section className="form-section" aria-labelledby="section-headers">
        <h2 id="section-headers">HTTP headers</h2>
        <p>
          Sent with the download, e.g. Authorization for a private image. Values are masked and
          never stored in the browser.
        </p>
        <PairRows
          form={form}
          config={{
            name: 'httpHeaders',
            first: 'name',
            firstLabel: 'HTTP header name',
            secondLabel: 'HTTP header value',
            noun: 'HTTP header',
            max: MAX_HTTP_HEADERS,
            secret: true,
            firstPlaceholder: 'Authorization',
            secondPlaceholder: 'Basic bG9naW46cGFzc3dvcmQ=',
          }}
        />
      </section>

      <ImageCheckPanel
        sn={sn}
        form={form}
        values={values}
        state={imageCheck}
        setState={setImageCheck}
      />

      <section className="form-section" aria-labelledby="section-configdrive">
        <h2 id="section-configdrive">Config Drive</h2>
        <p>What cloud-init applies at first boot.</p>
        <UserDataField
          value={values.configDriveUserData ?? ''}
          error={errors.configDriveUserData?.message}
          registration={register('configDriveUserData')}
        />
        <PairRows
          form={form}
          config={{
            name: 'configDriveMetadata',
            first: 'key',
            firstLabel: 'Metadata key',
            secondLabel: 'Metadata value',
            noun: 'metadata',
            max: MAX_METADATA,
            secret: false,
            firstPlaceholder: 'role',
            secondPlaceholder: 'webserver',
          }}
        />
      </section>

      <section className="form-section" aria-labelledby="section-system">
        <h2 id="section-system">System</h2>
        <p>Optional settings for the installed system.</p>
        <Field
          id="customHostname"
          label="Custom hostname"
          error={errors.customHostname?.message}
          hint="Optional, e.g. web1.example.com."
        >
          <Input {...register('customHostname')} autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          id="sshKey"
          label="SSH public key"
          error={errors.sshKey?.message}
          hint="Optional. The one-line content of your .pub file, e.g. ~/.ssh/id_ed25519.pub."
        >
          <Textarea {...register('sshKey')} className="mono" rows={3} spellCheck={false} />
        </Field>
        <Field
          id="efiBootloaderPath"
          label="EFI bootloader path"
          error={errors.efiBootloaderPath?.message}
          hint={
            <>
              {route === 'reinstall'
                ? 'Required by OVH for this route: the .efi file in the image, e.g. \\efi\\debian\\grubx64.efi.'
                : `Optional. For ${hardware.bootMode === 'uefi' ? 'this UEFI server' : 'UEFI boot'}: the .efi file in the image, e.g. \\efi\\debian\\grubx64.efi.`}
              {serverEfiBootloaderPath && values.efiBootloaderPath === serverEfiBootloaderPath
                ? " Filled in with the server's current path at OVH."
                : ''}
            </>
          }
        >
          <Input
            {...register('efiBootloaderPath')}
            className="mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </section>

      <ApiRequestPreview sn={sn} route={route} schema={schema} values={values} />

      <section className="form-section danger-zone" aria-labelledby="section-confirm">
        <h2 id="section-confirm">Confirm the installation</h2>
        <Message color="warning" dismissible={false}>
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>
            Installing erases all data on {sn}: every disk is overwritten with your image. This
            cannot be undone.
          </MessageBody>
        </Message>
        <CheckVerdict state={imageCheck} values={values} />
        {apiError && pageErrors.length === 0 ? (
          <ErrorMessage error={apiError} title="The installation did not start.">
            {apiError.code === 'INSTALL_IN_PROGRESS' ? (
              <>
                {' '}
                <Link to={progressPath}>Follow the running installation</Link>.
              </>
            ) : null}
          </ErrorMessage>
        ) : null}
        {pageErrors.length > 0 ? (
          <ErrorMessage
            error={new Error(pageErrors.join(' '))}
            title="The installation did not start."
          />
        ) : null}
        {formState.submitCount > 0 && Object.keys(errors).length > 0 ? (
          <p className="field-error" role="alert">
            Some fields need attention: the first one has the focus.
          </p>
        ) : null}
        <div style={{ marginTop: 16 }}>
          <Field
            id="confirm-server-name"
            label={CONFIRM_LABEL}
            hint={
              <>
                Type <strong className="verbatim">{sn}</strong> exactly.
              </>
            }
          >
            <Input
              value={confirmText}
              onChange={(event) => setConfirmText(event.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
        </div>
        <div className="form-actions" style={{ marginTop: 16 }}>
          <Button
            type="button"
            variant="outline"
            onClick={() => void navigate(`/servers/${encodeURIComponent(sn)}/install/template`)}
          >
            Back
          </Button>
          <Button
            type="button"
            variant="ghost"
            onClick={() => void navigate(`/servers/${encodeURIComponent(sn)}`)}
          >
            Cancel
          </Button>
          <Button type="submit" disabled={!confirmed || pending} loading={pending}>
            {pending ? 'Submitting…' : 'Confirm'}
          </Button>
        </div>
      </section>
      {messageOf(errors.root) ? <p className="field-error">{messageOf(errors.root)}</p> : null}
    </form>
  );
}
