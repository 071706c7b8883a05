/**
 * JSON bodies: at most 1 MiB once decoded, nested at most `MAX_JSON_DEPTH` levels, in UTF-8,
 * plain or compressed with gzip, deflate or br. Whatever else a client sends becomes a 4xx answer
 * that says what was wrong, never an exception further on (a body nested thousands of levels deep
 * made `JSON.stringify` throw a RangeError in the idempotency fingerprint).
 */
import express, { type ErrorRequestHandler } from 'express';
import { ApiError } from '../apiError.ts';

export const JSON_LIMIT = '1mb';
/** The install form nests three levels (`httpHeaders[0].name`); no request needs more than this. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in a JSON text, read without parsing it (so without
 * recursion), stopping as soon as `limit` is passed. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

class TooDeep extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
}

export function jsonBody() {
  return express.json({
    limit: JSON_LIMIT,
    verify(_req, _res, buffer) {
      if (jsonDepthExceeds(buffer, MAX_JSON_DEPTH)) throw new TooDeep('JSON nested too deep');
    },
  });
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

const MESSAGES: Record<string, [number, 'BAD_JSON' | 'PAYLOAD_TOO_LARGE', string]> = {
  'entity.parse.failed': [
    400,
    'BAD_JSON',
    'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.',
  ],
  'entity.too.large': [
    413,
    'PAYLOAD_TOO_LARGE',
    'The request body is larger than 1 MiB once decoded. Shorten it (user data, for instance, is limited to 64 KiB).',
  ],
  'entity.too.deep': [
    400,
    'BAD_JSON',
    `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep. No request of this API needs more than a few; send the form as documented.`,
  ],
  'encoding.unsupported': [
    415,
    'BAD_JSON',
    'The request body uses an unsupported Content-Encoding. Send it uncompressed, or compressed with gzip, deflate or br.',
  ],
  'charset.unsupported': [
    415,
    'BAD_JSON',
    'The request body uses an unsupported charset. Send UTF-8 JSON.',
  ],
  'request.size.invalid': [
    400,
    'BAD_JSON',
    'The request body is shorter or longer than its Content-Length says. Send the whole body with a matching Content-Length.',
  ],
  'request.aborted': [
    400,
    'BAD_JSON',
    'The request body ended before it was complete. Send it again.',
  ],
};

/** Any other failure of body-parser with a client status: the body could not be decoded. */
const UNDECODABLE: [number, 'BAD_JSON', string] = [
  400,
  'BAD_JSON',
  'The request body could not be decoded: its Content-Encoding does not match the bytes sent (e.g. "gzip" on a body that is not compressed). Send plain UTF-8 JSON, or set Content-Encoding to the compression really used.',
];

/** body-parser reports its failures with a `type` and a status; turn them into the API's envelope. */
export const jsonBodyErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  const { type, status } = (error ?? {}) as BodyParserError;
  const known = typeof type === 'string' ? MESSAGES[type] : undefined;
  const answer =
    known ?? (typeof status === 'number' && status >= 400 && status < 500 ? UNDECODABLE : null);
  if (!answer) return next(error);
  next(new ApiError(answer[0], answer[1], answer[2]));
};
