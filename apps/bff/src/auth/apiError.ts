/** The guards' answers in the API's one error envelope (`ApiErrorBody`). */
import type { Response } from 'express';
import type { ApiErrorBody, ApiErrorCode } from '@byoi/shared';

export function sendApiError(
  res: Response,
  status: number,
  code: ApiErrorCode,
  message: string,
  details?: ApiErrorBody['error']['details'],
): void {
  const body: ApiErrorBody = { error: details ? { code, message, details } : { code, message } };
  res.status(status).json(body);
}
