/** JSON bodies up to 1 MiB; malformed or oversized bodies become BAD_JSON / PAYLOAD_TOO_LARGE. */
import express, { type ErrorRequestHandler } from 'express';
import { ApiError } from '../apiError.ts';

export const JSON_LIMIT = '1mb';

export function jsonBody() {
  return express.json({ limit: JSON_LIMIT });
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** body-parser reports its failures with a `type`; turn them into the API's error envelope. */
export const jsonBodyErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  const type = (error as BodyParserError | null)?.type;
  if (type === 'entity.parse.failed') {
    next(
      new ApiError(
        400,
        'BAD_JSON',
        'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.',
      ),
    );
  } else if (type === 'entity.too.large') {
    next(
      new ApiError(
        413,
        'PAYLOAD_TOO_LARGE',
        'The request body is larger than 1 MiB. Shorten it (user data, for instance, is limited to 64 KiB).',
      ),
    );
  } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    next(
      new ApiError(
        415,
        'BAD_JSON',
        'The request body uses an unsupported encoding. Send UTF-8 JSON.',
      ),
    );
  } else {
    next(error);
  }
};
