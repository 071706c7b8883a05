import type {
  PreflightProgressEvent,
  PreflightReport,
  PreflightRequest,
  PreflightVerifyError,
  PreflightVerifyResult,
} from '@byoi/shared';
import { createParser } from 'eventsource-parser';
import { ApiError, apiFetch, apiHeaders, apiRequest, errorFromResponse } from '../client.ts';

const preflightPath = (sn: string) => `/api/servers/${encodeURIComponent(sn)}/preflight`;

export function runPreflight(sn: string, request: PreflightRequest): Promise<PreflightReport> {
  return apiRequest<PreflightReport>(preflightPath(sn), { method: 'POST', body: request });
}

/** How a verification ended when the BFF could not compare: its `error` event. */
export class VerifyFailedError extends Error {
  readonly failure: PreflightVerifyError;
  constructor(failure: PreflightVerifyError) {
    super(failure.message);
    this.name = 'VerifyFailedError';
    this.failure = failure;
  }
}

const STREAM_ENDED =
  'The checksum verification stopped before it finished (the connection to the console closed). Run it again.';

/**
 * Downloads and hashes the image on the BFF, reporting progress from the `text/event-stream`
 * answer as it arrives. Resolves with the `result` event, rejects with `VerifyFailedError` for an
 * `error` event, `ApiError` for a refused request, and an AbortError when `signal` aborts (which
 * also stops the download on the BFF).
 */
export async function verifyChecksum(
  sn: string,
  request: PreflightRequest,
  {
    signal,
    onProgress,
  }: { signal: AbortSignal; onProgress: (event: PreflightProgressEvent) => void },
): Promise<PreflightVerifyResult> {
  const headers = { ...apiHeaders('POST', true), Accept: 'text/event-stream' };
  const response = await apiFetch(`${preflightPath(sn)}/verify`, {
    method: 'POST',
    headers,
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  if (!response.body) throw new ApiError(response.status, 'BAD_RESPONSE', STREAM_ENDED);

  let outcome: { result: PreflightVerifyResult } | { error: PreflightVerifyError } | undefined;
  let malformed = false;
  const parser = createParser({
    onEvent: (event) => {
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        malformed = true;
        return;
      }
      if (event.event === 'progress') onProgress(data as PreflightProgressEvent);
      else if (event.event === 'result') outcome = { result: data as PreflightVerifyResult };
      else if (event.event === 'error') outcome = { error: data as PreflightVerifyError };
    },
  });

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
      if (outcome) break;
    }
  } finally {
    // Ends the download on the BFF too when the stream is left early.
    await reader.cancel().catch(() => undefined);
  }
  if (outcome && 'result' in outcome) return outcome.result;
  if (outcome) throw new VerifyFailedError(outcome.error);
  throw new ApiError(
    response.status,
    'BAD_RESPONSE',
    malformed
      ? "The console's server sent a progress event that is not JSON. Run it again."
      : STREAM_ENDED,
  );
}
