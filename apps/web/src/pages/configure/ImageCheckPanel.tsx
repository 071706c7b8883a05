import type {
  ByoiForm,
  ByoiFormInput,
  PreflightProgressEvent,
  PreflightReport,
  PreflightVerifyError,
  PreflightVerifyResult,
} from '@byoi/shared';
import {
  Badge,
  Button,
  Input,
  Message,
  MessageBody,
  MessageIcon,
  ProgressBar,
} from '@ovhcloud/ods-react';
import { useEffect, useRef, useState } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { verifyChecksum, VerifyFailedError } from '../../data/preflight/api.ts';
import { useRunPreflight } from '../../data/preflight/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDuration, formatIEC } from '../../ui/format.ts';
import { Field } from './Field.tsx';
import type { ImageCheckState } from './imageCheck.ts';
import {
  preflightRequestOf,
  signatureOf,
  VERDICT_COLOR,
  VERDICT_LABEL,
  verdictSentence,
} from './imageCheck.ts';

type FormApi = UseFormReturn<ByoiFormInput, unknown, ByoiForm>;

const IMAGE_FIELDS = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'httpHeaders',
] as const;

type VerifyState =
  | { phase: 'idle' }
  | { phase: 'running'; progress: PreflightProgressEvent | null }
  | { phase: 'done'; result: PreflightVerifyResult; signature: string }
  | { phase: 'failed'; failure: PreflightVerifyError | { message: string }; signature: string }
  | { phase: 'cancelled' };

function checksumFileError(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (!/^https?:\/\/[^/\s]+/i.test(trimmed) || /\s/.test(trimmed)) {
    return 'The checksum file URL must be an http:// or https:// address without spaces, e.g. https://images.example.com/SHA256SUMS.';
  }
  return undefined;
}

/** The partition's bootloaders, and a button to take the suggested one when the field differs. */
function EspFacts({
  esp,
  current,
  onUse,
}: {
  esp: NonNullable<PreflightReport['esp']>;
  current: string | undefined;
  onUse: (path: string) => void;
}) {
  const same = (a: string, b: string) =>
    a.replace(/\//g, '\\').toUpperCase() === b.replace(/\//g, '\\').toUpperCase();
  const suggestion = esp.suggestion;
  return (
    <>
      <dt>EFI system partition</dt>
      <dd>
        {esp.partition ? `partition ${esp.partition.index}` : 'none'}
        {esp.fatType ? `, ${esp.fatType}` : ''}
        {esp.efiFiles.length > 0 ? (
          <ul className="efi-files" aria-label="EFI files in the image">
            {esp.efiFiles.map((file) => (
              <li key={file} className="verbatim">
                {file}
              </li>
            ))}
          </ul>
        ) : esp.status === 'found' ? (
          ' (no .efi file)'
        ) : null}
        {suggestion && !(current && same(current, suggestion)) ? (
          <Button type="button" size="sm" variant="outline" onClick={() => onUse(suggestion)}>
            Use {suggestion}
          </Button>
        ) : null}
      </dd>
    </>
  );
}

function Report({
  report,
  stale,
  efiBootloaderPath,
  onUseBootloader,
}: {
  report: PreflightReport;
  stale: boolean;
  efiBootloaderPath: string | undefined;
  onUseBootloader: (path: string) => void;
}) {
  const color =
    report.verdict === 'pass' ? 'success' : report.verdict === 'warn' ? 'warning' : 'critical';
  const facts = report.facts;
  return (
    <div className="image-check__report">
      <Message color={color} dismissible={false} className="page-message">
        <MessageIcon
          name={
            report.verdict === 'pass'
              ? 'circle-check'
              : report.verdict === 'warn'
                ? 'triangle-exclamation'
                : 'hexagon-exclamation'
          }
        />
        <MessageBody>
          <strong>{verdictSentence(report)}</strong>
          {report.predictedMessage ? (
            <>
              {' '}
              OVH would answer: <span className="verbatim">{report.predictedMessage}</span>
            </>
          ) : null}
          {stale ? ' The image fields changed since this check: check again.' : null}
        </MessageBody>
      </Message>
      <ul className="checks" aria-label="Image checks">
        {report.checks.map((check) => (
          <li key={check.id} className="checks__item">
            <span className="checks__status">
              <Badge color={VERDICT_COLOR[check.status]}>{VERDICT_LABEL[check.status]}</Badge>
            </span>
            <div>
              <strong className="checks__title">{check.title}</strong>
              <p className="checks__sentence">{check.sentence}</p>
              {check.predictedMessage ? (
                <p className="checks__predicted">
                  OVH would answer: <span className="verbatim">{check.predictedMessage}</span>
                </p>
              ) : null}
              {check.remedy ? (
                <p className="checks__remedy">How to fix it: {check.remedy}</p>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <dl className="facts">
        <dt>Final URL</dt>
        <dd className="verbatim">{facts.finalURL}</dd>
        <dt>HTTP status</dt>
        <dd>{facts.httpStatus ?? '—'}</dd>
        <dt>Size</dt>
        <dd>
          {facts.contentLength !== null ? formatIEC(facts.contentLength) : 'not announced'}
          {facts.virtualSizeBytes !== null
            ? ` (virtual size ${formatIEC(facts.virtualSizeBytes)})`
            : ''}
        </dd>
        <dt>Detected format</dt>
        <dd>{facts.description ?? facts.detectedType ?? 'unknown'}</dd>
        {facts.partitionTable ? (
          <>
            <dt>Partition table</dt>
            <dd>
              {facts.partitionTable.toUpperCase()}
              {facts.uefiCapable ? ' · UEFI-capable' : ''}
              {facts.legacyCapable ? ' · legacy-capable' : ''}
            </dd>
          </>
        ) : null}
        <dt>Range requests</dt>
        <dd>{facts.acceptRanges ? 'supported' : 'not supported'}</dd>
        {report.esp ? (
          <EspFacts esp={report.esp} current={efiBootloaderPath} onUse={onUseBootloader} />
        ) : null}
      </dl>
    </div>
  );
}

function VerifyProgress({ progress }: { progress: PreflightProgressEvent | null }) {
  const total = progress?.totalBytes ?? null;
  const bytes = progress?.bytes ?? 0;
  return (
    <div className="image-check__progress">
      <ProgressBar
        aria-label="Checksum verification progress"
        max={total ?? 100}
        value={total ? bytes : 0}
      />
      <span className="muted" role="status">
        {progress === null
          ? 'Starting the download…'
          : `${formatIEC(bytes)}${total ? ` of ${formatIEC(total)}` : ''} · ${formatIEC(progress.bytesPerSecond)}/s${
              progress.etaSeconds !== null
                ? ` · about ${formatDuration(progress.etaSeconds)} left`
                : ''
            }`}
      </span>
    </div>
  );
}

function VerifyOutcome({ state }: { state: VerifyState }) {
  if (state.phase === 'done') {
    const { result } = state;
    return result.match ? (
      <Message color="success" dismissible={false} className="page-message">
        <MessageIcon name="circle-check" />
        <MessageBody>
          <strong>The {result.algorithm} checksum matches</strong> ({formatIEC(result.bytes)}{' '}
          hashed): <span className="verbatim">{result.actual}</span>
          {result.matchedLine ? (
            <>
              {' '}
              Expected value from the checksum file line{' '}
              <span className="verbatim">{result.matchedLine}</span>.
            </>
          ) : null}
        </MessageBody>
      </Message>
    ) : (
      <Message color="critical" dismissible={false} className="page-message" role="alert">
        <MessageIcon name="hexagon-exclamation" />
        <MessageBody>
          <strong>The {result.algorithm} checksum does not match.</strong>{' '}
          {result.predictedMessage ? (
            <>
              OVH would answer: <span className="verbatim">{result.predictedMessage}</span>{' '}
            </>
          ) : null}
          {result.remedy ? `How to fix it: ${result.remedy}` : null}
        </MessageBody>
      </Message>
    );
  }
  if (state.phase === 'failed') {
    const failure = state.failure;
    return (
      <Message color="critical" dismissible={false} className="page-message" role="alert">
        <MessageIcon name="hexagon-exclamation" />
        <MessageBody>
          <strong>The checksum could not be verified.</strong> {failure.message}
          {'predictedMessage' in failure && failure.predictedMessage ? (
            <>
              {' '}
              OVH would answer: <span className="verbatim">{failure.predictedMessage}</span>
            </>
          ) : null}
          {'remedy' in failure && failure.remedy ? ` How to fix it: ${failure.remedy}` : null}
        </MessageBody>
      </Message>
    );
  }
  if (state.phase === 'cancelled') {
    return (
      <p className="muted" role="status">
        Verification cancelled: nothing was changed. Run it again whenever you like.
      </p>
    );
  }
  return null;
}

/**
 * "Image check": asks the BFF to look at the image the way OVH will (reachability, size against
 * RAM, format from the bytes, boot mode, checksum) before anything is wiped, and on request to
 * download and hash it all with live progress.
 */
export function ImageCheckPanel({
  sn,
  form,
  values,
  state,
  setState,
}: {
  sn: string;
  form: FormApi;
  /** The form's current values: a change makes the last result out of date. */
  values: ByoiFormInput;
  state: ImageCheckState;
  setState: Dispatch<SetStateAction<ImageCheckState>>;
}) {
  const preflight = useRunPreflight(sn);
  const [checksumFileURL, setChecksumFileURL] = useState('');
  const [fileError, setFileError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [verify, setVerify] = useState<VerifyState>({ phase: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // Leaving the page stops a running download on the BFF.
  useEffect(() => () => abort.current?.abort(), []);

  const current = preflightRequestOf(values, checksumFileURL);
  const reportStale = state.report !== undefined && state.report.signature !== signatureOf(current);

  /** Validates the image fields like a submit would; false (and focus on the first) if any fails. */
  async function readyRequest() {
    setNotice(null);
    const badFile = checksumFileError(checksumFileURL);
    setFileError(badFile);
    const ok = await form.trigger([...IMAGE_FIELDS], { shouldFocus: true });
    if (!ok) {
      setNotice('Fix the image fields marked in red first.');
      return undefined;
    }
    if (badFile) {
      fileInput.current?.focus();
      return undefined;
    }
    return preflightRequestOf(form.getValues(), checksumFileURL);
  }

  async function checkImage() {
    const request = await readyRequest();
    if (!request) return;
    preflight.mutate(request, {
      onSuccess: (report) => {
        let signatureRequest = request;
        if (report.resolvedChecksum) {
          const { checksum, type } = report.resolvedChecksum;
          form.setValue('imageCheckSum', checksum, { shouldDirty: true, shouldValidate: true });
          form.setValue('imageCheckSumType', type, { shouldDirty: true, shouldValidate: true });
          signatureRequest = { ...request, imageCheckSum: checksum, imageCheckSumType: type };
        }
        setState((prev) => ({
          ...prev,
          report: { report, signature: signatureOf(signatureRequest) },
        }));
      },
    });
  }

  async function verifyImage() {
    const request = await readyRequest();
    if (!request) return;
    if (!request.imageCheckSum && !request.checksumFileURL) {
      setNotice('Enter an Image checksum (or a Checksum file URL) to verify the image against.');
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setVerify({ phase: 'running', progress: null });
    try {
      const result = await verifyChecksum(sn, request, {
        signal: controller.signal,
        onProgress: (progress) => setVerify({ phase: 'running', progress }),
      });
      let signatureRequest = request;
      if (result.matchedLine && !request.imageCheckSum) {
        form.setValue('imageCheckSum', result.expected, {
          shouldDirty: true,
          shouldValidate: true,
        });
        form.setValue('imageCheckSumType', result.algorithm, {
          shouldDirty: true,
          shouldValidate: true,
        });
        signatureRequest = {
          ...request,
          imageCheckSum: result.expected,
          imageCheckSumType: result.algorithm,
        };
      }
      const signature = signatureOf(signatureRequest);
      setVerify({ phase: 'done', result, signature });
      setState((prev) => ({ ...prev, verify: { result, signature } }));
    } catch (error) {
      const signature = signatureOf(request);
      if (controller.signal.aborted) setVerify({ phase: 'cancelled' });
      else if (error instanceof VerifyFailedError)
        setVerify({ phase: 'failed', failure: error.failure, signature });
      else
        setVerify({
          phase: 'failed',
          failure: { message: error instanceof Error ? error.message : String(error) },
          signature,
        });
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  const resolved = state.report?.report.resolvedChecksum;
  const verifying = verify.phase === 'running';

  return (
    <section className="form-section image-check" aria-labelledby="section-image-check">
      <h2 id="section-image-check">Image check</h2>
      <p>
        Look at the image the way OVH will, before the server is wiped: reachability, size against
        the RAM limit, the real format from its first bytes, boot mode, the EFI bootloader in its
        EFI system partition, and checksum.
      </p>
      <Field
        id="checksumFileURL"
        label="Checksum file URL"
        error={fileError}
        hint="Optional. A SHA256SUMS or SHA512SUMS file next to the image: Check image finds the image's line and fills Image checksum and Checksum type."
      >
        <Input
          ref={fileInput}
          value={checksumFileURL}
          onChange={(event) => {
            setChecksumFileURL(event.target.value);
            if (fileError) setFileError(checksumFileError(event.target.value));
          }}
          type="url"
          inputMode="url"
          placeholder="https://images.example.com/SHA256SUMS"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="image-check__actions">
        <Button
          type="button"
          variant="outline"
          loading={preflight.isPending}
          disabled={preflight.isPending || verifying}
          onClick={() => void checkImage()}
        >
          {preflight.isPending ? 'Checking…' : 'Check image'}
        </Button>
        <Button
          type="button"
          variant="outline"
          loading={verifying}
          disabled={verifying || preflight.isPending}
          onClick={() => void verifyImage()}
        >
          {verifying ? 'Verifying…' : 'Verify checksum'}
        </Button>
        {verifying ? (
          <Button
            type="button"
            variant="ghost"
            color="critical"
            onClick={() => abort.current?.abort()}
          >
            Cancel
          </Button>
        ) : null}
      </div>
      {notice ? (
        <p className="field-error" role="alert">
          {notice}
        </p>
      ) : null}
      {verify.phase === 'running' ? <VerifyProgress progress={verify.progress} /> : null}
      {/* A verdict about another image than the one now typed would mislead: it is dropped. */}
      {'signature' in verify && verify.signature !== signatureOf(current) ? null : (
        <VerifyOutcome state={verify} />
      )}
      {preflight.isError ? (
        <ErrorMessage error={preflight.error} title="The image was not checked." />
      ) : null}
      {resolved ? (
        <p className="field-hint field-hint--ok" role="status">
          Image checksum and Checksum type filled from the checksum file ({resolved.type}), line:{' '}
          <span className="verbatim">{resolved.matchedLine}</span>
        </p>
      ) : null}
      {state.report ? (
        <Report
          report={state.report.report}
          stale={reportStale}
          efiBootloaderPath={values.efiBootloaderPath}
          onUseBootloader={(path) => {
            form.setValue('efiBootloaderPath', path, { shouldDirty: true, shouldValidate: true });
            // The report was about the old path: check again with the one just taken.
            void checkImage();
          }}
        />
      ) : null}
    </section>
  );
}
