/** The one error type routes throw; the error handler turns it into `ApiErrorBody`. */
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
