import type {
  ByoiFormInput,
  ChecksumType,
  ImageType,
  PreflightCheck,
  PreflightReport,
  PreflightRequest,
  PreflightVerifyResult,
} from '@byoi/shared';

/** What the last Check image / Verify checksum said, and for which image fields. */
export interface ImageCheckState {
  report?: { report: PreflightReport; signature: string };
  verify?: { result: PreflightVerifyResult; signature: string };
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
}

/** The preflight body from the form as typed: only the fields that describe the image. */
export function preflightRequestOf(
  values: ByoiFormInput,
  checksumFileURL: string,
): PreflightRequest {
  const headers = (values.httpHeaders ?? []).filter((h) => h.name.trim() !== '');
  const request: PreflightRequest = {
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
  return request;
}

/**
 * Identifies the image a check was about. Kept in memory only (it holds header values): a result
 * whose signature differs from the current form is shown as out of date.
 */
export function signatureOf(request: PreflightRequest): string {
  return JSON.stringify([
    request.imageURL,
    request.imageType,
    request.imageCheckSum ?? '',
    request.imageCheckSumType ?? '',
    request.httpHeaders ?? [],
    request.efiBootloaderPath ?? '',
  ]);
}

export const VERDICT_LABEL: Record<PreflightCheck['status'], string> = {
  pass: 'Pass',
  warn: 'Warning',
  fail: 'Fail',
  skipped: 'Skipped',
};

export const VERDICT_COLOR = {
  pass: 'success',
  warn: 'warning',
  fail: 'critical',
  skipped: 'neutral',
} as const;

/** The report's headline in words. */
export function verdictSentence(report: PreflightReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  if (report.verdict === 'fail') {
    return `The image would fail: ${failed} check${failed === 1 ? '' : 's'} failed. Fix ${failed === 1 ? 'it' : 'them'} before you confirm, or the server is wiped for nothing.`;
  }
  if (report.verdict === 'warn') {
    return `The image passed with ${warned} warning${warned === 1 ? '' : 's'}: read ${warned === 1 ? 'it' : 'them'} before you confirm.`;
  }
  return 'Every check passed: OVH should accept this image.';
}
