/** The one error handler: every failure answers `ApiErrorBody`, never a stack or a secret. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError } from '../apiError.ts';
import { OvhError, type OvhErrorKind } from '../ovh/errors.ts';
import { isStoreUnavailable, STORE_DOWN } from '../store/storeUnavailable.ts';
import { apiErrorFromOvh } from '../upstreamError.ts';

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(
    new ApiError(
      404,
      'NOT_FOUND',
      `There is no API endpoint ${req.method} ${req.baseUrl}${req.path}. See apps/bff/README.md for the list.`,
    ),
  );
};

/**
 * What identifies a failure that came from OVH, for the log: status, kind, access rule, OVH's
 * class and query id. Not OVH's message on a refusal: it may quote what the operator typed.
 */
interface UpstreamFacts {
  status?: number;
  kind?: OvhErrorKind;
  rule?: string;
  ovhClass?: string;
  ovhQueryId?: string;
}

function upstreamFacts(
  error: unknown,
  apiError: ApiError,
): { upstream: UpstreamFacts } | undefined {
  const ovh = error instanceof OvhError ? error : undefined;
  const details = apiError.details;
  if (!ovh && details?.ovhMessage === undefined && details?.ovhQueryId === undefined) {
    return undefined;
  }
  return {
    upstream: {
      ...(ovh ? { status: ovh.status, kind: ovh.kind } : {}),
      ...(ovh?.rule ? { rule: ovh.rule } : {}),
      ...(details?.ovhClass ? { ovhClass: details.ovhClass } : {}),
      ...(details?.ovhQueryId ? { ovhQueryId: details.ovhQueryId } : {}),
    },
  };
}

/**
 * A client's fault reported by a library (Express's router, body-parser, http-errors): its status
 * is 4xx. Never a 500: whatever a client can send ends here at worst.
 */
function clientFault(error: unknown): ApiError | null {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (error instanceof URIError) {
    return new ApiError(
      400,
      'BAD_REQUEST',
      'The address has a malformed percent-encoding (a % not followed by two hexadecimal digits, or bytes that are not UTF-8). Encode each part of the path with encodeURIComponent.',
    );
  }
  return new ApiError(
    status,
    'BAD_REQUEST',
    `The request is not well-formed (HTTP ${status}). Check its address, headers and body against apps/bff/README.md and the README's Hardening section.`,
  );
}

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const apiError =
    error instanceof ApiError
      ? error
      : error instanceof OvhError
        ? apiErrorFromOvh(error)
        : (clientFault(error) ??
          (isStoreUnavailable(error)
            ? new ApiError(503, 'STORE_UNAVAILABLE', `Nothing was done: ${STORE_DOWN}`)
            : null) ??
          new ApiError(
            500,
            'INTERNAL',
            'Something went wrong on the console server. Try again; if it keeps happening, tell the administrator (the request id is in the X-Request-Id header).',
          ));
  const upstream = upstreamFacts(error, apiError);
  if (apiError.status >= 500) {
    // Only the name and message: upstream messages never contain credentials, and bodies are not logged.
    const cause =
      error instanceof Error
        ? { name: error.name, message: error.message }
        : { value: typeof error };
    req.log?.error({ err: cause, code: apiError.code, ...upstream }, 'request failed');
  } else if (upstream) {
    // The operator fixes a refusal from the answer; whoever asks OVH support about it needs the
    // class and query id from here.
    req.log?.warn({ code: apiError.code, ...upstream }, 'OVH refused the call');
  }
  if (res.headersSent) return;
  res.status(apiError.status).json(apiError.toBody());
};
