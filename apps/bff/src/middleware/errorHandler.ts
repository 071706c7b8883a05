/** The one error handler: every failure answers `ApiErrorBody`, never a stack or a secret. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError } from '../apiError.ts';
import { OvhError, type OvhErrorKind } from '../ovh/errors.ts';
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

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const apiError =
    error instanceof ApiError
      ? error
      : error instanceof OvhError
        ? apiErrorFromOvh(error)
        : new ApiError(
            500,
            'INTERNAL',
            'Something went wrong on the console server. Try again; if it keeps happening, tell the administrator (the request id is in the X-Request-Id header).',
          );
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
