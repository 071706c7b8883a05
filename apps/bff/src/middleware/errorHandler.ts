/** The one error handler: every failure answers `ApiErrorBody`, never a stack or a secret. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError } from '../apiError.ts';
import { OvhError } from '../ovh/errors.ts';
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
  if (apiError.status >= 500) {
    // Only the name and message: upstream messages never contain credentials, and bodies are not logged.
    const cause =
      error instanceof Error
        ? { name: error.name, message: error.message }
        : { value: typeof error };
    req.log?.error({ err: cause, code: apiError.code }, 'request failed');
  }
  if (res.headersSent) return;
  res.status(apiError.status).json(apiError.toBody());
};
