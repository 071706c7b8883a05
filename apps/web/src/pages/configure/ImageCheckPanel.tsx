import type {
  ByoiForm,
  ByoiFormInput,
  PreflightProgressEvent,
  PreflightReport,
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
import type { UseFormReturn } from 'react-hook-form';
import { CheckList } from '../../ui/CheckList.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { formatDuration, formatIEC } from '../../ui/format.ts';
import { RichText } from '../../ui/RichText.tsx';
import type { ImageVerdict, StaleCheck, VerifyOutcome } from './imageCheck.ts';
import type { ImageCheck } from './useImageCheck.ts';
import { CHECKSUM_FILE_FIELD } from './useImageCheck.ts';

type FormApi = UseFormReturn<ByoiFormInput, unknown, ByoiForm>;

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

function Facts({
  report,
  efiBootloaderPath,
  onUseBootloader,
}: {
  report: PreflightReport;
  efiBootloaderPath: string | undefined;
  onUseBootloader: (path: string) => void;
}) {
  const facts = report.facts;
  return (
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
  );
}

const HEADLINE_LOOK = {
  pass: { color: 'success', icon: 'circle-check' },
  warn: { color: 'warning', icon: 'triangle-exclamation' },
  fail: { color: 'critical', icon: 'hexagon-exclamation' },
  unchecked: { color: 'information', icon: 'circle-info' },
} as const;

/** The verdict on the image as now typed: the headline, then every check that makes it. */
function CurrentVerdict({ verdict }: { verdict: ImageVerdict }) {
  const look = HEADLINE_LOOK[verdict.status];
  return (
    <Message color={look.color} dismissible={false} className="page-message">
      <MessageIcon name={look.icon} />
      <MessageBody>
        <strong>{verdict.headline}</strong>
        {verdict.failure?.fromOvh ? (
          <>
            {' '}
            OVH would answer: <span className="verbatim">{verdict.failure.message}</span>
          </>
        ) : null}
      </MessageBody>
    </Message>
  );
}

function staleVerifyLine(outcome: VerifyOutcome): string {
  if (outcome.kind === 'error') return `Could not verify: ${outcome.error.message}`;
  const { result } = outcome;
  return result.match
    ? `The ${result.algorithm} checksum matched that image.`
    : `The ${result.algorithm} checksum did not match that image.`;
}

/**
 * A result about other field values than the form's: folded away and labelled with the image it
 * was about, so it is never read as the verdict on the image now typed.
 */
function StaleResult({
  stale,
  report,
  verify,
}: {
  stale: StaleCheck;
  report: PreflightReport | undefined;
  verify: VerifyOutcome | undefined;
}) {
  return (
    <details className="stale-check">
      <summary>
        <Badge color="neutral">Out of date</Badge> {stale.what}: about another image (
        <span className="verbatim">{stale.imageURL}</span>)
      </summary>
      <p className="field-hint">
        Changed since: {stale.changed.join(', ')}. This does not describe the image now typed: run{' '}
        {stale.what} again.
      </p>
      {stale.what === 'Check image' && report ? (
        <CheckList
          checks={report.checks.map((c) => ({ ...c, source: 'preflight' }))}
          label="Image checks about another image"
        />
      ) : null}
      {stale.what === 'Verify checksum' && verify ? (
        <p className="field-hint">{staleVerifyLine(verify)}</p>
      ) : null}
    </details>
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

/**
 * What the last Verify checksum said, right under its button, while it is about this image. The
 * remedy is in its row of the checks below, with the others.
 */
function VerifyOutcomeMessage({ outcome }: { outcome: VerifyOutcome }) {
  if (outcome.kind === 'result') {
    const { result } = outcome;
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
        </MessageBody>
      </Message>
    );
  }
  const failure = outcome.error;
  return (
    <Message color="critical" dismissible={false} className="page-message" role="alert">
      <MessageIcon name="hexagon-exclamation" />
      <MessageBody>
        <strong>The checksum could not be verified.</strong> <RichText text={failure.message} />
        {'predictedMessage' in failure && failure.predictedMessage ? (
          <>
            {' '}
            OVH would answer: <span className="verbatim">{failure.predictedMessage}</span>
          </>
        ) : null}
      </MessageBody>
    </Message>
  );
}

/**
 * "Image check": asks the BFF to look at the image the way OVH will (reachability, size against
 * RAM, format from the bytes, boot mode, checksum) before anything is wiped, and on request to
 * download and hash it all with live progress. Shows the one verdict on the image as now typed.
 */
export function ImageCheckPanel({
  form,
  values,
  check,
}: {
  form: FormApi;
  /** The form's current values: a change makes the last result out of date. */
  values: ByoiFormInput;
  check: ImageCheck;
}) {
  const { preflight, verdict, results, verifyPhase } = check;
  const verifying = verifyPhase.phase === 'running';
  const report = verdict.ran.preflight ? results.report?.report : undefined;
  const resolved = report?.resolvedChecksum;

  return (
    <section className="form-section image-check" aria-labelledby="section-image-check">
      <h2 id="section-image-check">Image check</h2>
      <p>
        Look at the image the way OVH will, before the server is wiped: reachability, size against
        the RAM limit, the real format from its first bytes, boot mode, the EFI bootloader in its
        EFI system partition, and checksum.
      </p>
      <Field
        id={CHECKSUM_FILE_FIELD}
        label="Checksum file URL"
        error={check.fileError}
        hint="Optional. A SHA256SUMS or SHA512SUMS file next to the image: Check image finds the image's line and fills Image checksum and Checksum type."
      >
        <Input
          value={check.checksumFileURL}
          onChange={(event) => check.setChecksumFileURL(event.target.value)}
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
          onClick={() => void check.checkImage()}
        >
          {preflight.isPending ? 'Checking…' : 'Check image'}
        </Button>
        <Button
          type="button"
          variant="outline"
          loading={verifying}
          disabled={verifying || preflight.isPending}
          onClick={() => void check.verifyImage()}
        >
          {verifying ? 'Verifying…' : 'Verify checksum'}
        </Button>
        {verifying ? (
          <Button type="button" variant="ghost" color="critical" onClick={check.cancelVerify}>
            Cancel
          </Button>
        ) : null}
      </div>
      {check.notice ? (
        <p className="field-error" role="alert">
          {check.notice}
        </p>
      ) : null}
      {verifyPhase.phase === 'running' ? <VerifyProgress progress={verifyPhase.progress} /> : null}
      {verifyPhase.phase === 'cancelled' ? (
        <p className="muted" role="status">
          Verification cancelled: nothing was changed. Run it again whenever you like.
        </p>
      ) : null}
      {verdict.ran.verify && results.verify ? (
        <VerifyOutcomeMessage outcome={results.verify.outcome} />
      ) : null}
      {preflight.isError ? (
        <ErrorMessage error={preflight.error} title="The image was not checked." />
      ) : null}
      {resolved ? (
        <p className="field-hint field-hint--ok" role="status">
          Image checksum and Checksum type filled from the checksum file ({resolved.type}), line:{' '}
          <span className="verbatim">{resolved.matchedLine}</span>
        </p>
      ) : null}
      {verdict.status !== 'unchecked' ? (
        <div className="image-check__report">
          <CurrentVerdict verdict={verdict} />
          <CheckList checks={verdict.checks} label="Image checks" />
          {report ? (
            <Facts
              report={report}
              efiBootloaderPath={values.efiBootloaderPath}
              onUseBootloader={(path) => {
                form.setValue('efiBootloaderPath', path, {
                  shouldDirty: true,
                  shouldValidate: true,
                });
                // The report was about the old path: check again with the one just taken.
                void check.checkImage();
              }}
            />
          ) : null}
        </div>
      ) : null}
      {verdict.stale.map((stale) => (
        <StaleResult
          key={stale.what}
          stale={stale}
          report={results.report?.report}
          verify={results.verify?.outcome}
        />
      ))}
    </section>
  );
}
