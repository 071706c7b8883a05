import type {
  ByoiForm,
  ByoiFormInput,
  LibraryImageRef,
  PreflightProgressEvent,
  PreflightRequest,
} from '@byoi/shared';
import { useEffect, useRef, useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { verifyChecksum, VerifyFailedError } from '../../data/preflight/api.ts';
import { useRunPreflight } from '../../data/preflight/hooks.ts';
import type { ImageCheckRequest, ImageCheckState } from './imageCheck.ts';
import { imageVerdict, preflightRequestOf, signatureOf } from './imageCheck.ts';

type FormApi = UseFormReturn<ByoiFormInput, unknown, ByoiForm>;

const IMAGE_FIELDS = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'httpHeaders',
] as const;

/** The id of the Checksum file URL field. */
export const CHECKSUM_FILE_FIELD = 'checksumFileURL';

/** The Verify checksum download itself; its outcome goes to the results. */
export type VerifyPhase =
  | { phase: 'idle' }
  | { phase: 'running'; progress: PreflightProgressEvent | null }
  | { phase: 'cancelled' };

function checksumFileError(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (!/^https?:\/\/[^/\s]+/i.test(trimmed) || /\s/.test(trimmed)) {
    return 'The checksum file URL must be an http:// or https:// address without spaces, e.g. https://images.example.com/SHA256SUMS.';
  }
  return undefined;
}

/**
 * Check image and Verify checksum for the configuration form: runs them, keeps what they said with
 * the request each was about, and derives the one verdict on the image as now typed, with the
 * operator's "Install anyway" acknowledgement of a failing verdict. Any image field change resets
 * the acknowledgement, even a change that is later undone.
 */
export function useImageCheck(
  sn: string,
  form: FormApi,
  values: ByoiFormInput,
  {
    libraryImage,
    initialChecksumFileURL = '',
  }: {
    /** The library version the form installs: its stored header values join every check. */
    libraryImage?: LibraryImageRef | undefined;
    initialChecksumFileURL?: string;
  } = {},
) {
  const preflight = useRunPreflight(sn);
  const [checksumFileURL, setChecksumFileURLState] = useState(initialChecksumFileURL);
  const [fileError, setFileError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [verifyPhase, setVerifyPhase] = useState<VerifyPhase>({ phase: 'idle' });
  const [results, setResults] = useState<ImageCheckState>({});
  const abort = useRef<AbortController | null>(null);

  // Leaving the page stops a running download on the BFF.
  useEffect(() => () => abort.current?.abort(), []);

  const current = preflightRequestOf(values, checksumFileURL, libraryImage);
  const signature = signatureOf(current);
  const verdict = imageVerdict(results, current);

  const [acknowledgedKey, setAcknowledgedKey] = useState<string | null>(null);
  const [seenSignature, setSeenSignature] = useState(signature);
  if (seenSignature !== signature) {
    setSeenSignature(signature);
    setAcknowledgedKey(null);
  }
  // Also tied to the message: a new check that predicts another failure needs a new tick.
  const ackKey = verdict.failure ? `${signature}\n${verdict.failure.message}` : null;
  const acknowledged = ackKey !== null && acknowledgedKey === ackKey;

  function setChecksumFileURL(value: string) {
    setChecksumFileURLState(value);
    if (fileError) setFileError(checksumFileError(value));
  }

  /** Validates the image fields like a submit would; undefined (and focus on the first) if any fails. */
  async function readyRequest(): Promise<ImageCheckRequest | undefined> {
    setNotice(null);
    const badFile = checksumFileError(checksumFileURL);
    setFileError(badFile);
    const ok = await form.trigger([...IMAGE_FIELDS], { shouldFocus: true });
    if (!ok) {
      setNotice('Fix the image fields marked in red first.');
      return undefined;
    }
    if (badFile) {
      // By id: the field is the panel's, and a ref in this hook's answer would taint all of it.
      document.getElementById(CHECKSUM_FILE_FIELD)?.focus();
      return undefined;
    }
    return preflightRequestOf(form.getValues(), checksumFileURL, libraryImage);
  }

  /** Puts a checksum the BFF found into the form; the result is then about the filled values. */
  function fill(
    request: ImageCheckRequest,
    checksum: string,
    type: PreflightRequest['imageCheckSumType'],
  ) {
    form.setValue('imageCheckSum', checksum, { shouldDirty: true, shouldValidate: true });
    form.setValue('imageCheckSumType', type ?? '', { shouldDirty: true, shouldValidate: true });
    return { ...request, imageCheckSum: checksum, ...(type ? { imageCheckSumType: type } : {}) };
  }

  async function checkImage() {
    const request = await readyRequest();
    if (!request) return;
    preflight.mutate(request, {
      onSuccess: (report) => {
        const resolved = report.resolvedChecksum;
        const about = resolved ? fill(request, resolved.checksum, resolved.type) : request;
        setResults((prev) => ({ ...prev, report: { report, request: about } }));
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
    setVerifyPhase({ phase: 'running', progress: null });
    try {
      const result = await verifyChecksum(sn, request, {
        signal: controller.signal,
        onProgress: (progress) => setVerifyPhase({ phase: 'running', progress }),
      });
      const about =
        result.matchedLine && !request.imageCheckSum
          ? fill(request, result.expected, result.algorithm)
          : request;
      setVerifyPhase({ phase: 'idle' });
      setResults((prev) => ({
        ...prev,
        verify: { outcome: { kind: 'result', result }, request: about },
      }));
    } catch (error) {
      if (controller.signal.aborted) {
        setVerifyPhase({ phase: 'cancelled' });
        return;
      }
      const failure =
        error instanceof VerifyFailedError
          ? error.failure
          : { message: error instanceof Error ? error.message : String(error) };
      setVerifyPhase({ phase: 'idle' });
      setResults((prev) => ({
        ...prev,
        verify: { outcome: { kind: 'error', error: failure }, request },
      }));
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  return {
    preflight,
    checksumFileURL,
    setChecksumFileURL,
    fileError,
    notice,
    verifyPhase,
    results,
    verdict,
    acknowledged,
    setAcknowledged: (on: boolean) => setAcknowledgedKey(on ? ackKey : null),
    checkImage,
    verifyImage,
    cancelVerify: () => abort.current?.abort(),
  };
}

export type ImageCheck = ReturnType<typeof useImageCheck>;
