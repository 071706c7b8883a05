import type {
  ByoiFormInput,
  ChecksumType,
  ImageType,
  LibraryImageRef,
  PreflightCheck,
  PreflightCheckId,
  PreflightReport,
  PreflightRequest,
  PreflightVerifyError,
  PreflightVerifyResult,
} from '@byoi/shared';
import { ACKNOWLEDGEMENT_MAX_LENGTH } from '@byoi/shared';
import { formatIEC } from '../../ui/format.ts';

/** How a Verify checksum ended: the BFF compared (`result`) or could not (`error`). */
export type VerifyOutcome =
  | { kind: 'result'; result: PreflightVerifyResult }
  | { kind: 'error'; error: PreflightVerifyError | { message: string } };

/**
 * The preflight body: with `libraryImage`, the BFF adds that library version's stored header
 * values (which the browser never has) to the check.
 */
export type ImageCheckRequest = PreflightRequest & { libraryImage?: LibraryImageRef };

/**
 * What the operator's checks said, each with the request it was about. Kept in memory only (the
 * requests hold header values); a result whose request differs from the form is about another image.
 */
export interface ImageCheckState {
  report?: { report: PreflightReport; request: ImageCheckRequest };
  verify?: { outcome: VerifyOutcome; request: ImageCheckRequest };
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
}

/** The preflight body from the form as typed: only the fields that describe the image. */
export function preflightRequestOf(
  values: ByoiFormInput,
  checksumFileURL: string,
  libraryImage?: LibraryImageRef,
): ImageCheckRequest {
  const headers = (values.httpHeaders ?? []).filter((h) => h.name.trim() !== '');
  const request: ImageCheckRequest = {
    imageURL: values.imageURL.trim(),
    imageType: values.imageType.trim() as ImageType,
  };
  const checksum = blankToUndefined(values.imageCheckSum);
  const checksumType = blankToUndefined(values.imageCheckSumType);
  const fileURL = blankToUndefined(checksumFileURL);
  if (checksum) request.imageCheckSum = checksum.toLowerCase();
  if (checksumType) request.imageCheckSumType = checksumType.toLowerCase() as ChecksumType;
  if (headers.length > 0) {
    request.httpHeaders = headers.map((h) => ({ name: h.name.trim(), value: h.value }));
  }
  if (fileURL) request.checksumFileURL = fileURL;
  // Checked against the image's EFI partition when it looks like a path; the form explains the rest.
  const efi = blankToUndefined(values.efiBootloaderPath);
  if (efi && /^[\\/].*\.efi$/i.test(efi)) request.efiBootloaderPath = efi;
  if (libraryImage) request.libraryImage = { id: libraryImage.id, version: libraryImage.version };
  return request;
}

/** The fields a check is about, in the form's order, with the label the operator sees. */
const IMAGE_FIELD_LABELS = [
  ['imageURL', 'Image URL'],
  ['imageType', 'Image type'],
  ['imageCheckSum', 'Image checksum'],
  ['imageCheckSumType', 'Checksum type'],
  ['checksumFileURL', 'Checksum file URL'],
  ['efiBootloaderPath', 'EFI bootloader path'],
  ['httpHeaders', 'HTTP headers'],
  ['libraryImage', 'Library image'],
] as const satisfies readonly (readonly [keyof ImageCheckRequest, string])[];

const fieldValue = (request: ImageCheckRequest, field: keyof ImageCheckRequest) =>
  JSON.stringify(request[field] ?? '');

/** Identifies the image a check was about: two requests with one signature ask the same thing. */
export function signatureOf(request: ImageCheckRequest): string {
  return JSON.stringify(IMAGE_FIELD_LABELS.map(([field]) => fieldValue(request, field)));
}

/** The labels of the image fields whose values differ between two requests. */
export function changedImageFields(before: ImageCheckRequest, now: ImageCheckRequest): string[] {
  return IMAGE_FIELD_LABELS.filter(
    ([field]) => fieldValue(before, field) !== fieldValue(now, field),
  ).map(([, label]) => label);
}

/** One row of the verdict: a preflight check, or what Verify checksum found. */
export interface VerdictCheck extends Omit<PreflightCheck, 'id'> {
  /** `download`: Verify checksum could not download the image the way OVH would. */
  id: PreflightCheckId | 'download';
  source: 'preflight' | 'verify';
}

/** A result kept for the record but about other field values than the form's. */
export interface StaleCheck {
  what: 'Check image' | 'Verify checksum';
  imageURL: string;
  /** Labels of the image fields changed since. */
  changed: string[];
}

export type VerdictStatus = 'unchecked' | 'pass' | 'warn' | 'fail';

export interface ImageVerdict {
  status: VerdictStatus;
  /** Every check about the image as now typed: the preflight's, with Verify folded in. */
  checks: VerdictCheck[];
  ran: { preflight: boolean; verify: boolean };
  /** What the operator accepts by installing anyway; only with a failing verdict. */
  failure?: {
    /** OVH's predicted message, or (when no OVH message is predicted) the failing check's sentence. */
    message: string;
    fromOvh: boolean;
    checkTitle: string;
  };
  /** One sentence about the image as now typed. */
  headline: string;
  stale: StaleCheck[];
  /** When Check image ran for the image as now typed. */
  checkedAt?: string;
}

function verifyRow(outcome: VerifyOutcome): VerdictCheck {
  if (outcome.kind === 'result') {
    const { result } = outcome;
    const hashed = formatIEC(result.bytes);
    return result.match
      ? {
          id: 'checksum',
          source: 'verify',
          status: 'pass',
          title: 'Checksum',
          sentence: `Verify checksum downloaded the image (${hashed}): its ${result.algorithm} matches.`,
        }
      : {
          id: 'checksum',
          source: 'verify',
          status: 'fail',
          title: 'Checksum',
          sentence: `Verify checksum downloaded the image (${hashed}): its ${result.algorithm} is ${result.actual}, not the ${result.expected} given.`,
          ...(result.predictedMessage ? { predictedMessage: result.predictedMessage } : {}),
          ...(result.remedy ? { remedy: result.remedy } : {}),
        };
  }
  const { error } = outcome;
  const predicted = 'predictedMessage' in error ? error.predictedMessage : undefined;
  const remedy = 'remedy' in error ? error.remedy : undefined;
  // Without an OVH message the verification stopped for a reason of its own (no checksum, the
  // address guard, a dropped connection): nothing is known about the image, so it only warns.
  return {
    id: predicted ? 'download' : 'checksum',
    source: 'verify',
    status: predicted ? 'fail' : 'warn',
    title: predicted ? 'Download (Verify checksum)' : 'Checksum',
    sentence: `The checksum could not be verified: ${error.message}`,
    ...(predicted ? { predictedMessage: predicted } : {}),
    ...(remedy ? { remedy } : {}),
  };
}

/** One line, at most the length the install form accepts. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- the form refuses control characters
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > ACKNOWLEDGEMENT_MAX_LENGTH
    ? `${flat.slice(0, ACKNOWLEDGEMENT_MAX_LENGTH - 1)}…`
    : flat;
}

/**
 * The failure OVH meets first, in its installer's order: a refusal at submit (the checksum pair
 * or type), then what the real download met (Verify), then the preflight's prediction, which may
 * lie later (format, disk size, write). A failing check without an OVH message comes last.
 */
function firstFailureOf(
  checks: VerdictCheck[],
  report: PreflightReport | undefined,
): ImageVerdict['failure'] {
  const failing = checks.filter((c) => c.status === 'fail');
  const atSubmit = failing.find(
    (c) => c.source === 'preflight' && c.id === 'checksum' && c.predictedMessage,
  );
  const fromVerify = failing.find((c) => c.source === 'verify' && c.predictedMessage);
  const predicted = report?.predictedMessage;
  const fromReport = failing.find(
    (c) => c.source === 'preflight' && c.predictedMessage === predicted,
  );
  const ovh = atSubmit ?? fromVerify ?? fromReport ?? failing.find((c) => c.predictedMessage);
  if (ovh?.predictedMessage) {
    return { message: oneLine(ovh.predictedMessage), fromOvh: true, checkTitle: ovh.title };
  }
  const first = failing[0];
  return first
    ? { message: oneLine(first.sentence), fromOvh: false, checkTitle: first.title }
    : undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function headlineOf(
  status: VerdictStatus,
  checks: VerdictCheck[],
  ran: ImageVerdict['ran'],
  stale: StaleCheck[],
): string {
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (status === 'unchecked') {
    const last = stale[0];
    return last
      ? `No image check was run for the image as now typed: the last one was about another image (${last.imageURL}). Run Check image again.`
      : "No image check was run: OVH's failures would only show after the server is wiped. Run Check image first.";
  }
  if (status === 'fail') {
    return `The image would fail: ${plural(failed, 'check')} failed. Fix ${failed === 1 ? 'it' : 'them'} before you confirm, or the server is wiped for nothing.`;
  }
  const notChecked = ran.preflight
    ? ''
    : ' Check image was not run: size, format and boot mode are not checked.';
  if (status === 'warn') {
    return `No check failed, ${plural(warned, 'warning')}: read ${warned === 1 ? 'it' : 'them'} before you confirm.${notChecked}`;
  }
  return ran.preflight
    ? `Every check passed: OVH should accept this image.${ran.verify ? ' The checksum of the downloaded image matches.' : ''}`
    : `The checksum of the downloaded image matches.${notChecked}`;
}

/**
 * The one verdict about the image as now typed, from every check the operator ran: Check image
 * (with its checksum file), and Verify checksum (the real download and hash), which overrides the
 * preflight's Checksum row. A result about other field values is listed as stale, never counted.
 */
export function imageVerdict(state: ImageCheckState, current: ImageCheckRequest): ImageVerdict {
  const signature = signatureOf(current);
  const stale: StaleCheck[] = [];
  const isCurrent = (what: StaleCheck['what'], request: ImageCheckRequest) => {
    if (signatureOf(request) === signature) return true;
    stale.push({ what, imageURL: request.imageURL, changed: changedImageFields(request, current) });
    return false;
  };
  const report =
    state.report && isCurrent('Check image', state.report.request)
      ? state.report.report
      : undefined;
  const verify =
    state.verify && isCurrent('Verify checksum', state.verify.request)
      ? state.verify.outcome
      : undefined;

  let checks: VerdictCheck[] = (report?.checks ?? []).map((c) => ({ ...c, source: 'preflight' }));
  if (verify) {
    const row = verifyRow(verify);
    const at = checks.findIndex((c) => c.id === row.id);
    if (at >= 0) checks = checks.map((c, i) => (i === at ? row : c));
    // A download failure is the first thing OVH meets.
    else checks = row.id === 'download' ? [row, ...checks] : [...checks, row];
  }

  const ran = { preflight: report !== undefined, verify: verify !== undefined };
  const status: VerdictStatus =
    checks.length === 0
      ? 'unchecked'
      : checks.some((c) => c.status === 'fail')
        ? 'fail'
        : checks.some((c) => c.status === 'warn')
          ? 'warn'
          : 'pass';
  const failure = status === 'fail' ? firstFailureOf(checks, report) : undefined;
  return {
    status,
    checks,
    ran,
    ...(failure ? { failure } : {}),
    headline: headlineOf(status, checks, ran, stale),
    stale,
    ...(report ? { checkedAt: report.checkedAt } : {}),
  };
}
