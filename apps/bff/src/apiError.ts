/** The one error type routes throw (the error handler turns it into `ApiErrorBody`), and the guards' direct answer. */
import type { Response } from 'express';
import type { ApiErrorBody, ApiErrorCode } from '@byoi/shared';

export type ApiErrorDetails = NonNullable<ApiErrorBody['error']['details']>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: ApiErrorDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

/** Answers an error directly from a guard (middleware that refuses without throwing). */
export function sendApiError(
  res: Response,
  status: number,
  code: ApiErrorCode,
  message: string,
  details?: ApiErrorDetails,
): void {
  res.status(status).json(new ApiError(status, code, message, details).toBody());
}
