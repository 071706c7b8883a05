import {
  byoiFormSchemaFor,
  CHECKSUM_TYPES,
  formatGiBFloor,
  formatMemory,
  IMAGE_TYPES,
  inferChecksumType,
} from '@byoi/shared';
import type {
  ByoiForm,
  ByoiFormInput,
  HardwareDto,
  InstallRoute,
  LibraryImageDto,
} from '@byoi/shared';
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Input, Message, MessageBody, MessageIcon, Textarea } from '@ovhcloud/ods-react';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../../data/client.ts';
import { useStartInstall } from '../../data/servers/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import { headerPairs, metadataPairs, PairRows } from '../../ui/PairRows.tsx';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import { dataLossSentence } from '../../ui/words.ts';
import { ApiRequestPreview } from './ApiRequestPreview.tsx';
import { CheckVerdict } from './CheckVerdict.tsx';
import type { RestoreScope } from './formStorage.ts';
import { restoreFrom, saveForm, saveLibrarySource } from './formStorage.ts';
import { ImageCheckPanel } from './ImageCheckPanel.tsx';
import { LibraryBanner, LibraryHeaderRows, LibraryPicker } from './LibraryImageSource.tsx';
import type { LibrarySource, Prefill, Restored } from './prefill.ts';
import { librarySourceOf, versionValues } from './prefill.ts';
import { applyFieldErrors } from './serverErrors.ts';
import { useImageCheck } from './useImageCheck.ts';
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

/** An explicit way back to earlier values, as the page was opened. */
export interface OpenWith {
  /** The operator's action, as the banner names it ("Edit and retry"). */
  action: string;
  scope: RestoreScope;
}

function messageOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const message = (error as { message?: unknown }).message;
    return typeof message === 'string' && message !== '' ? message : undefined;
  }
  return undefined;
}

function restoredOf(
  action: string,
  sn: string,
  stored: Partial<ByoiFormInput>,
  scope: RestoreScope,
  defaults: ByoiFormInput,
  library: LibrarySource | null,
): Prefill {
  const { values, fields } = restoreFrom(stored, scope, defaults);
  const restored: Restored = {
    action,
    from: `your last install on ${sn}`,
    fields,
    headerNames: (values.httpHeaders?.length ?? 0) > 0,
    urlQueryDropped: false,
  };
  return { values, restored, library, checksumFileURL: '' };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Which values came back and by which action; header values never do. */
function RestoredBanner({ restored, onClear }: { restored: Restored; onClear: () => void }) {
  return (
    <Message color="information" dismissible={false} className="page-message">
      <MessageIcon name="circle-info" />
      <MessageBody>
        <strong>
          {restored.action}: these fields came back from {restored.from}:
        </strong>{' '}
        {restored.fields.join(', ')}. Check them before you confirm.
        {restored.headerNames ? (
          <>
            {' '}
            Your previous values are back, except HTTP header values: they are secrets and are never
            kept. Type them again before you confirm.
          </>
        ) : null}
        {restored.urlQueryDropped ? (
          <>
            {' '}
            The image URL came back without its query values (a signed link is never kept): paste
            the full address into Image URL.
          </>
        ) : null}
        <div className="message-action">
          <Button type="button" size="sm" variant="outline" onClick={onClear}>
            Start from an empty form
          </Button>
        </div>
      </MessageBody>
    </Message>
  );
}

export interface InstallFormProps {
  sn: string;
  route: InstallRoute;
  hardware: HardwareDto;
  /** The server's current EFI bootloader path at OVH: the field starts with it. */
  serverEfiBootloaderPath?: string | null;
  /** The values of the last install started on this server in this tab, header values blank. */
  stored: Partial<ByoiFormInput> | undefined;
  /** The library image version that install came from, if it did. */
  storedLibrary?: LibrarySource | null;
  /** The action the page was opened with that brings values back, if any. */
  openWith: OpenWith | null;
  /** Values the page read for the operator's action (an install of the history, a library image). */
  prefill?: Prefill | null;
}

export function InstallForm({
  sn,
  route,
  hardware,
  serverEfiBootloaderPath = null,
  stored,
  storedLibrary = null,
  openWith,
  prefill = null,
}: InstallFormProps) {
  const navigate = useNavigate();
  // The wizard's own parameters (`?reuse=…`, `?image=…`) go back with Back, like they came.
  const { search } = useLocation();
  const schema = useMemo(() => byoiFormSchemaFor(route), [route]);
  const defaults = useMemo<ByoiFormInput>(
    () => ({
      ...EMPTY_FORM,
      ...(serverEfiBootloaderPath ? { efiBootloaderPath: serverEfiBootloaderPath } : {}),
    }),
    [serverEfiBootloaderPath],
  );
  // Only an explicit action brings values back; the page opened plainly starts from the defaults.
  const [opening] = useState(
    () =>
      prefill ??
      (openWith && stored
        ? restoredOf(openWith.action, sn, stored, openWith.scope, defaults, storedLibrary)
        : null),
  );
  const [restored, setRestored] = useState<Restored | null>(
    opening?.restored && opening.restored.fields.length > 0 ? opening.restored : null,
  );
  const [library, setLibrary] = useState<LibrarySource | null>(opening?.library ?? null);
  const [detached, setDetached] = useState<LibrarySource | null>(null);
  const form = useForm<ByoiFormInput, unknown, ByoiForm>({
    resolver: zodResolver(schema),
    mode: 'onBlur',
    reValidateMode: 'onChange',
    // RHF focuses in registration order; the operator expects the first error on screen.
    shouldFocusError: false,
    defaultValues: { ...defaults, ...opening?.values },
  });
  const { register, handleSubmit, formState, setValue, setError, control } = form;
  const errors = formState.errors;
  const values = useWatch({ control }) as ByoiFormInput;
  const [autoType, setAutoType] = useState<string | undefined>(undefined);
  const [confirmText, setConfirmText] = useState('');
  const [pageErrors, setPageErrors] = useState<string[]>([]);
  const check = useImageCheck(sn, form, values, {
    libraryImage: library?.ref,
    initialChecksumFileURL: opening?.checksumFileURL ?? '',
  });
  const startInstall = useStartInstall(sn);
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();

  const lastValues = stored ? restoreFrom(stored, 'all', defaults) : null;
  const canUseLast = restored === null && lastValues !== null && lastValues.fields.length > 0;

  function takeLastValues() {
    if (!stored) return;
    const next = restoredOf('Use the last values', sn, stored, 'all', defaults, storedLibrary);
    form.reset({ ...defaults, ...next.values });
    setRestored(next.restored);
    setLibrary(next.library);
  }

  function detachLibrary() {
    setDetached(library);
    setLibrary(null);
  }

  /** "From the library": the image's latest version in the image fields, its headers the library's. */
  function takeLibraryImage(image: LibraryImageDto) {
    const source = librarySourceOf(image, image.latest);
    const validate = { shouldDirty: true, shouldValidate: formState.isSubmitted };
    for (const [field, value] of Object.entries(versionValues(image.latest))) {
      setValue(field as 'imageURL', value as string, validate);
    }
    // A row of the form's own under a stored name would send a second value: the library's wins.
    const own = form.getValues('httpHeaders') ?? [];
    setValue(
      'httpHeaders',
      own.filter((header) => !source.headerNames.some((name) => sameName(name, header.name))),
      validate,
    );
    check.setChecksumFileURL(image.latest.checksumFileURL ?? '');
    setLibrary(source);
    setDetached(null);
  }

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

  const verdict = check.verdict;
  const failure = verdict.failure;
  const confirmed = confirmText.trim() === sn;
  // A check predicted a failure: Confirm waits for the operator to accept it in so many words.
  const gated = failure !== undefined && !check.acknowledged;
  const pending = startInstall.isPending;
  const progressPath = `/servers/${encodeURIComponent(sn)}/install/progress`;

  const onValid = (data: ByoiForm) => {
    if (gated) {
      setPageErrors([
        'A check predicts that this install fails: fix the image and check again, or tick “Install anyway”.',
      ]);
      return;
    }
    const clash = library
      ? (data.httpHeaders ?? []).findIndex((header) =>
          library.headerNames.some((name) => sameName(name, header.name)),
        )
      : -1;
    if (library && clash >= 0) {
      const name = data.httpHeaders[clash]?.name ?? '';
      setError(
        `httpHeaders.${clash}.name`,
        {
          type: 'library',
          message: `The library image stores the value of ${name}: remove this row (the stored value is sent), or detach the library image to type the value yourself.`,
        },
        { shouldFocus: true },
      );
      return;
    }
    setPageErrors([]);
    const typed = form.getValues();
    const body = {
      ...data,
      ...(failure ? { acknowledgement: { predictedMessage: failure.message } } : {}),
      // The BFF adds the version's stored header values; the browser never had them.
      ...(library ? { libraryImage: library.ref } : {}),
    };
    startInstall.mutate(body, {
      onSuccess: () => {
        // Kept for "Edit and retry" and "Reinstall with the same image"; header values are dropped.
        saveForm(sn, typed);
        saveLibrarySource(sn, library);
        void navigate(progressPath);
      },
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
  const efiRequired = route === 'reinstall';

  return (
    <form
      noValidate
      className="install-form"
      aria-label={`Install Bring Your Own Image - byoi on ${sn}`}
      ref={formRef}
      onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
    >
      {restored ? (
        <RestoredBanner
          restored={restored}
          onClear={() => {
            form.reset(defaults);
            check.setChecksumFileURL('');
            setRestored(null);
            setLibrary(null);
          }}
        />
      ) : null}
      {library ? <LibraryBanner library={library} onDetach={detachLibrary} /> : null}
      {detached && !library ? (
        <Message color="neutral" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            Detached from the image library ({detached.name} v{detached.ref.version}): the fields
            stay as they are
            {detached.headerNames.length > 0
              ? `, and the stored values of ${detached.headerNames.join(', ')} are no longer sent. Add the headers the image server needs under HTTP headers`
              : ''}
            .
          </MessageBody>
        </Message>
      ) : null}
      {openWith && !restored ? (
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            {openWith.action}: no values of an earlier install on {sn} are kept in this browser tab,
            so the form starts empty.
          </MessageBody>
        </Message>
      ) : null}
      {canUseLast && !openWith && !opening ? (
        <Message color="neutral" dismissible={false} className="page-message">
          <MessageIcon name="history" />
          <MessageBody>
            The values of your last install on {sn} are kept in this browser tab; they are not
            filled in.
            <div className="message-action">
              <Button type="button" size="sm" variant="outline" onClick={takeLastValues}>
                Use the last values
              </Button>
            </div>
          </MessageBody>
        </Message>
      ) : null}
      <p className="field-hint required-legend">
        Fields marked <span aria-hidden="true">*</span> are required.
      </p>

      <section className="form-section" aria-labelledby="section-image">
        <div className="section-head">
          <h2 id="section-image">Image</h2>
          <LibraryPicker onPick={takeLibraryImage} />
        </div>
        <p>Where OVH downloads your image from, and how it checks the download.</p>
        <Field
          id="imageURL"
          label="Image URL"
          required
          error={errors.imageURL?.message}
          hint={
            <>
              This server has {formatMemory(hardware.memoryBytes)} of RAM. The image must be smaller
              than the server&apos;s RAM minus 3 GiB: at most {limit}.
              {restored?.urlQueryDropped && values.imageURL === opening?.values.imageURL
                ? ' Paste the full address: the history keeps this link without its query values.'
                : ''}
            </>
          }
        >
          <Input
            {...register('imageURL')}
            aria-required
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
            required
            error={errors.imageType?.message}
            hint="The format the file really is: OVH checks it."
          >
            <NativeSelect {...register('imageType')} aria-required>
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

      <section className="form-section" aria-labelledby="section-options">
        <h2 id="section-options">Options</h2>
        <p>How the installed system starts, and what OVH sends with the download.</p>
        <Field
          id="efiBootloaderPath"
          label="EFI bootloader path"
          required={efiRequired}
          error={errors.efiBootloaderPath?.message}
          hint={
            <>
              {efiRequired
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
            aria-required={efiRequired || undefined}
            className="mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
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

        <div className="form-group" role="group" aria-labelledby="section-configdrive">
          <h3 id="section-configdrive">Config Drive</h3>
          <p>What cloud-init applies at first boot.</p>
          <UserDataField
            value={values.configDriveUserData ?? ''}
            error={errors.configDriveUserData?.message}
            registration={register('configDriveUserData')}
          />
          <PairRows form={form} config={metadataPairs('configDriveMetadata', 'metadata')} />
        </div>

        <div className="form-group" role="group" aria-labelledby="section-headers">
          <h3 id="section-headers">HTTP headers</h3>
          <p>
            Sent with the download, e.g. Authorization for a private image. Values are masked and
            never stored in the browser.
          </p>
          {library ? <LibraryHeaderRows library={library} imageURL={values.imageURL} /> : null}
          <PairRows
            form={form}
            config={headerPairs('httpHeaders', 'header', {
              secondPlaceholder: 'Basic bG9naW46cGFzc3dvcmQ=',
            })}
          />
        </div>
      </section>

      <ImageCheckPanel form={form} values={values} check={check} />

      <ApiRequestPreview
        sn={sn}
        route={route}
        schema={schema}
        values={values}
        libraryHeaderNames={library?.headerNames ?? []}
      />

      <section className="form-section danger-zone" aria-labelledby="section-confirm">
        <h2 id="section-confirm">Confirm the installation</h2>
        <Message color="warning" dismissible={false}>
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>{dataLossSentence(sn)}</MessageBody>
        </Message>
        <CheckVerdict
          verdict={verdict}
          acknowledged={check.acknowledged}
          onAcknowledge={check.setAcknowledged}
        />
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
        <div className="confirm-field">
          <Field
            id="confirm-server-name"
            label={CONFIRM_LABEL}
            required
            hint={
              <>
                Type <strong className="verbatim">{sn}</strong> exactly.
              </>
            }
          >
            <Input
              value={confirmText}
              onChange={(event) => setConfirmText(event.target.value)}
              aria-required
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
        </div>
        {gated ? (
          <p id="confirm-gate" className="field-hint confirm-gate">
            Confirm stays off while a check predicts a failure: fix the image and run the check
            again, or tick “Install anyway” above.
          </p>
        ) : null}
        <div className="form-actions">
          <Button
            type="button"
            variant="outline"
            onClick={() =>
              void navigate(`/servers/${encodeURIComponent(sn)}/install/template${search}`)
            }
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
          <Button
            type="submit"
            disabled={!confirmed || pending || gated}
            loading={pending}
            aria-describedby={gated ? 'confirm-gate' : undefined}
          >
            {pending ? 'Submitting…' : 'Confirm'}
          </Button>
        </div>
      </section>
      {messageOf(errors.root) ? <p className="field-error">{messageOf(errors.root)}</p> : null}
    </form>
  );
}
